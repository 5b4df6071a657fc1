import { defineEventHandler, getRequestURL, setResponseHeader, setResponseStatus } from "h3";

// Every benchmark route through Nuxt's router, answered by the bench host.
export default defineEventHandler(async (event) => {
  const url = getRequestURL(event);
  const body = await globalThis[Symbol.for("tessera.bench.host")].answer(event.method, url.pathname, url.searchParams, event);
  setResponseStatus(event, body === undefined ? 404 : 200);
  setResponseHeader(event, "Content-Type", "text/plain; charset=utf-8");
  return body ?? "not found";
});
