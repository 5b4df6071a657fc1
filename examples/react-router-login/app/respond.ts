/**
 * The example's answers: HTML pages, the shared JSON API's answers, and the
 * CSRF check every form POST passes before changing anything.
 */
import { CsrfError, resolveCsrfOptions, verifyCsrf, type Session, type SessionData } from "tessera-session";
import type { ApiAnswer } from "../../shared/api.js";
import { formExpired } from "../../shared/login-app.js";
import { loginOptions } from "../../shared/env-login-options.js";

const csrfOptions = resolveCsrfOptions();
const FORM_LIMIT_BYTES = 4096;

/** An HTML page. */
export function html(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/** An API answer of examples/shared/api.ts: status, headers, JSON (none for 204). */
export function apiResponse(answer: ApiAnswer): Response {
  return answer.body === undefined ? new Response(null, { status: answer.status, headers: answer.headers }) : Response.json(answer.body, answer);
}

/** The request's form fields (at most 4 KiB), or a 413. */
export async function readForm(request: Request): Promise<Record<string, string> | Response> {
  if (Number(request.headers.get("content-length") ?? 0) > FORM_LIMIT_BYTES) return new Response("Payload Too Large", { status: 413 });
  return formFields(await request.formData());
}

/** A form's text fields (files are ignored). */
export function formFields(formData: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  formData.forEach((value, name) => {
    if (typeof value === "string") fields[name] = value;
  });
  return fields;
}

/**
 * The form of a state-changing request from this site carrying this
 * session's token, or the 403 "form out of date" page.
 */
export async function checkedForm(request: Request, session: Session<SessionData>): Promise<Record<string, string> | Response> {
  const form = await readForm(request);
  if (form instanceof Response) return form;
  const url = new URL(request.url);
  try {
    verifyCsrf(
      session,
      {
        method: request.method,
        secFetchSite: request.headers.get("sec-fetch-site") ?? undefined,
        origin: request.headers.get("origin") ?? undefined,
        protocol: url.protocol.slice(0, -1),
        host: url.host,
        formToken: form[csrfOptions.fieldName],
        headerToken: request.headers.get(csrfOptions.headerName) ?? undefined,
      },
      csrfOptions,
    );
  } catch (error) {
    if (error instanceof CsrfError) return html(formExpired(loginOptions, session), 403);
    throw error;
  }
  return form;
}
