import { sendNoContent, setResponseHeader, setResponseStatus, type H3Event } from "h3";
import type { ApiAnswer } from "../../shared/api.js";

/** Sends an API answer of examples/shared/api.ts the h3 way: status, headers, JSON (none for 204). */
export function sendApi(event: H3Event, answer: ApiAnswer): unknown {
  setResponseStatus(event, answer.status);
  for (const [name, value] of Object.entries(answer.headers)) setResponseHeader(event, name, value);
  if (answer.body === undefined) return sendNoContent(event, answer.status);
  return answer.body;
}
