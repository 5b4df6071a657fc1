// The React Router benchmark app: server rendering with the v8 middleware API that tessera-session/react-router uses.
export default { ssr: true, future: { v8_middleware: true } };
