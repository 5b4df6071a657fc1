import http from "node:http";
import express from "express";
import type { SessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { conformanceRoutes, listenOnLoopback, type ConformanceData } from "tessera-session/testing";

/** The Express app the adapter conformance suite drives, on a loopback port. */
export async function serveExpress(manager: SessionManager<ConformanceData>) {
  const app = express();
  app.set("trust proxy", "loopback");
  app.set("env", "test"); // the default error handler, without logging expected 503s
  const tessera = expressSession(manager);
  app.use(tessera);
  for (const route of conformanceRoutes) {
    app[route.method === "GET" ? "get" : "post"](route.path, async (req, res) => {
      const reply = await route.handle({ session: tessera.session(req), query: new URL(req.url, "http://x").searchParams });
      if (reply.kind !== "stream" && reply.headers) res.set(reply.headers);
      if (reply.kind === "json") return void res.status(reply.status ?? 200).json(reply.body);
      if (reply.kind === "redirect") return res.redirect(303, reply.location);
      res.type("text/plain");
      for await (const chunk of reply.chunks) res.write(chunk);
      res.end();
    });
  }
  return listenOnLoopback(http.createServer(app));
}
