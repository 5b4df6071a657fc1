// Bare Express: the ceiling Express session libraries are compared with.
// With BENCH_BARE_NOOP_MIDDLEWARE=true (the bare-express-noop variant), one
// middleware that only calls next() runs before the routes: the least any
// middleware adds on Express, a yardstick for Tessera's anonymous cost.
import process from "node:process";
import { serveExpress } from "./frameworks/express.js";
import { noSession } from "./shared/routes.js";

const noopMiddleware = process.env.BENCH_BARE_NOOP_MIDDLEWARE === "true";
await serveExpress(noopMiddleware ? { ...noSession, install: (app) => app.use((_req, _res, next) => next()) } : noSession);
