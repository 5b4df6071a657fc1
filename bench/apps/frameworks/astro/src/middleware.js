// The bench host's session middleware (astroSession), or none for bare Astro.
export const onRequest = (context, next) => {
  const middleware = globalThis[Symbol.for("tessera.bench.host")].middleware;
  return middleware ? middleware(context, next) : next();
};
