/**
 * Every conformance route as one Astro endpoint: JSON and redirects as
 * `Response`s, streams as a `ReadableStream`, a thrown error with a 4xx
 * status answered with that status (Astro answers any other thrown error with 500).
 */
import type { APIRoute } from "astro";
import type { Session } from "tessera-session";
import { findConformanceRoute, type ConformanceData, type ConformanceReply } from "tessera-session/testing";

function stream(chunks: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
}

function toResponse(reply: ConformanceReply): Response {
  if (reply.kind === "stream") return new Response(stream(reply.chunks), { headers: { "content-type": "text/plain" } });
  const headers = new Headers(reply.headers);
  if (reply.kind === "redirect") {
    headers.set("location", reply.location);
    return new Response(null, { status: 303, headers });
  }
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify(reply.body), { status: reply.status ?? 200, headers });
}

export const ALL: APIRoute = async (context) => {
  const route = findConformanceRoute(context.request.method, context.url.pathname);
  if (route === undefined) return new Response("no such conformance route", { status: 404 });
  const session = context.locals.session as unknown as Session<ConformanceData>;
  try {
    return toResponse(await route.handle({ session, query: context.url.searchParams }));
  } catch (thrown) {
    const status = (thrown as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) return new Response((thrown as Error).message, { status });
    throw thrown;
  }
};
