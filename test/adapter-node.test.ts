import http from "node:http";
import type { SessionManager } from "tessera-session";
import { nodeSession } from "tessera-session/node";
import { adapterConformance, findConformanceRoute, listenOnLoopback, type ConformanceData } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";

async function serve(manager: SessionManager<ConformanceData>) {
  const tessera = nodeSession(manager, { trustProxy: true });
  const server = http.createServer(
    tessera.handler(async (req, res, session) => {
      const url = new URL(req.url ?? "/", "http://x");
      const route = findConformanceRoute(req.method ?? "GET", url.pathname);
      if (!route) return void res.writeHead(404).end();
      const answer = await route.handle({ session, query: url.searchParams });
      if (answer.kind !== "stream") for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
      if (answer.kind === "json") {
        return void res.writeHead(answer.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
      }
      if (answer.kind === "redirect") return void res.writeHead(303, { location: answer.location }).end();
      res.writeHead(200, { "content-type": "text/plain" });
      for await (const chunk of answer.chunks) res.write(chunk);
      res.end();
    }),
  );
  return listenOnLoopback(server);
}

adapterConformance(withRedis("node", "ioredis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("node", "ioredis", serve), transport: "bearer" });
adapterConformance({ ...withRedis("node", "ioredis", serve), transport: { header: "X-Session-Token" } });
