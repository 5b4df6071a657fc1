import { Readable } from "node:stream";
import Fastify from "fastify";
import type { SessionManager } from "tessera-session";
import { fastifySession } from "tessera-session/fastify";
import { adapterConformance, conformanceRoutes, type ConformanceData } from "tessera-session/testing";
import { withRedis } from "./support/conformance.js";

async function serve(manager: SessionManager<ConformanceData>) {
  const app = Fastify({ trustProxy: "127.0.0.1" });
  const tessera = fastifySession(manager);
  await app.register(tessera);
  for (const route of conformanceRoutes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const answer = await route.handle({ session: tessera.session(request), query: new URL(request.url, "http://x").searchParams });
        if (answer.kind !== "stream" && answer.headers) reply.headers(answer.headers);
        if (answer.kind === "json") return reply.code(answer.status ?? 200).send(answer.body);
        if (answer.kind === "redirect") return reply.redirect(answer.location, 303);
        return reply.type("text/plain").send(Readable.from(answer.chunks));
      },
    });
  }
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, close: () => app.close() };
}

adapterConformance(withRedis("fastify", "ioredis", serve));
// The same suite with the token in a header instead of the cookie (issue 14).
adapterConformance({ ...withRedis("fastify", "ioredis", serve), transport: "bearer" });
adapterConformance({ ...withRedis("fastify", "ioredis", serve), transport: { header: "X-Session-Token" } });
