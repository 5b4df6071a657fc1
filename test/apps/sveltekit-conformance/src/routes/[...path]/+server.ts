/**
 * Every conformance route, answered the SvelteKit way: JSON and redirects
 * as `Response`s, streams as a `ReadableStream`, a thrown error with a 4xx
 * status through `error()` (SvelteKit answers any other thrown error with 500).
 */
import { error, type RequestHandler } from "@sveltejs/kit";
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

const dispatch: RequestHandler = async (event) => {
  const route = findConformanceRoute(event.request.method, event.url.pathname);
  if (route === undefined) error(404, "no such conformance route");
  const session = event.locals.session as unknown as Session<ConformanceData>;
  let reply: ConformanceReply;
  try {
    reply = await route.handle({ session, query: event.url.searchParams });
  } catch (thrown) {
    const status = (thrown as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) error(status, (thrown as Error).message);
    throw thrown;
  }
  return toResponse(reply);
};

export const GET = dispatch;
export const POST = dispatch;
