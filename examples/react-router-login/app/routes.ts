import { index, route, type RouteConfig } from "@react-router/dev/routes";

// Resource routes answering the shared pages (examples/shared/pages.ts), so the
// forms work without JavaScript and every framework's version looks the same.
export default [
  index("routes/home.ts"),
  route("login", "routes/login.ts"),
  route("logout", "routes/logout.ts"),
  route("api/login", "routes/api-login.ts"),
  route("api/me", "routes/api-me.ts"),
  route("api/logout", "routes/api-logout.ts"),
  route("healthz", "routes/healthz.ts"),
  route("metrics", "routes/metrics.ts"),
] satisfies RouteConfig;
