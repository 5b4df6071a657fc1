/**
 * The example's form handling: the body read with h3 (at most 4 KiB), then
 * the CSRF check every POST of the example passes before changing anything.
 */
import { createError, readBody, type H3Event } from "h3";
import { nodeCsrf } from "tessera-session/h3";
import { trustProxy } from "../../shared/env-login-options.js";

const FORM_LIMIT_BYTES = 4096;
const csrf = nodeCsrf({ trustProxy });

/** The request's form fields, refused with 413 when larger than the limit. */
export async function readForm(event: H3Event): Promise<Record<string, unknown>> {
  if (Number(event.node.req.headers["content-length"] ?? 0) > FORM_LIMIT_BYTES) throw createError({ statusCode: 413, statusMessage: "Payload Too Large" });
  const body: unknown = await readBody(event);
  return body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
}

/**
 * The form of a state-changing request from this site carrying this
 * session's token; a `CsrfError` (403, rendered by server/error-handler.ts) otherwise.
 */
export async function checkedForm(event: H3Event): Promise<Record<string, unknown>> {
  const form = await readForm(event);
  csrf.verify(event.node.req, event.context.session, form);
  return form;
}
