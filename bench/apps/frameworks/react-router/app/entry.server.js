export { default, streamTimeout } from "../../../../../examples/shared/react-router-entry-server.ts";
