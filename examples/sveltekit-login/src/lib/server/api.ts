/** The API answers (examples/shared/api.ts) as SvelteKit endpoint responses. */
import type { ApiAnswer } from "../../../../shared/api.js";

export function apiResponse(answer: ApiAnswer): Response {
  if (answer.body === undefined) return new Response(null, { status: answer.status, headers: answer.headers });
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { ...answer.headers, "content-type": "application/json" } });
}
