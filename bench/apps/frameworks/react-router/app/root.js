import { createElement } from "react";
import { Outlet } from "react-router";

const host = () => globalThis[Symbol.for("tessera.bench.host")];

// The bench host's session middleware (reactRouterSession), or none for bare React Router.
export const middleware = [(args, next) => (host().middleware ? host().middleware(args, next) : next())];

export default function Root() {
  return createElement(Outlet);
}
