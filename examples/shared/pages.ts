/**
 * The login example's pages, shared by every framework's version so they
 * look and behave the same. Plain HTML and a little CSS, no framework.
 */
import type { UserSession } from "tessera-session";
import { describeDevice, type DeviceDescription } from "./device.js";
import { relativeTime } from "./relative-time.js";

/** What every page shows in its footer and header. */
export interface PageContext {
  /** Which app instance served the page (name and pid). */
  instance: string;
  /** The framework that served it, shown beside the instance (a mixed fleet runs several). */
  framework?: string | undefined;
  /** The logged-in user, if any. */
  username: string | undefined;
  /** Visits counted in this session. */
  visits: number;
  /** A warning shown on every page (e.g. "memory store: sessions are not shared"). */
  banner?: string | undefined;
  /** The app serves the "Your sessions" page at `/sessions`: link to it while logged in. */
  sessionsPage?: boolean | undefined;
  /**
   * This session's CSRF token, for the logout form of a logged-in page.
   * Logout is a POST with the token, never a GET: a link or image on
   * another site must not be able to log the user out.
   */
  csrfToken?: string | undefined;
  /**
   * The app serves a WebSocket at `/live` (the Express example): a signed-in
   * page shows a live visit counter fed by it, which says so when the
   * socket is closed because the session ended.
   */
  live?: boolean | undefined;
  /** A one-time message (a flash, `session.takeFlash`), shown at the top of the page this once. */
  flash?: string | undefined;
}

/** Escapes text for HTML element and attribute content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  :root { color-scheme: light; --ink:#1d2433; --muted:#5b6478; --accent:#8a3b12; --accent-2:#c9a66b; --card:#fffdf8; --line:#e7dfd2; }
  * { box-sizing: border-box; }
  body { margin:0; font:16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink);
         background: radial-gradient(circle at 20% 0%, #f6efe3, #efe6d6 60%, #e8dcc8); min-height:100vh; }
  main { max-width: 36rem; margin: 7vh auto 2rem; padding: 2rem 2.25rem 1.5rem; background: var(--card);
         border: 1px solid var(--line); border-radius: 14px; box-shadow: 0 10px 30px rgba(60,40,10,.08); }
  h1 { margin: 0 0 .75rem; font-size: 1.6rem; letter-spacing: -.01em; display:flex; align-items:center; }
  .tile { display:inline-grid; grid-template-columns: repeat(2, .7rem); gap:2px; margin-right:.6rem; }
  .tile i { width:.7rem; height:.7rem; border-radius:2px; background: var(--accent); }
  .tile i:nth-child(2), .tile i:nth-child(3) { background: var(--accent-2); }
  p { margin: .6rem 0; }
  .lead { font-size: 1.1rem; }
  .muted { color: var(--muted); font-size: .9rem; }
  .banner { background:#fff1c2; border:1px solid #e6c65c; padding:.6rem .8rem; border-radius:8px; margin-bottom:1rem; font-weight:600; }
  .facts { display:grid; grid-template-columns: max-content 1fr; align-items:center; gap:.55rem 1rem; margin:1.4rem 0 1rem;
           padding:1rem 1.1rem; background:#f7f2e9; border-radius:10px; font-size:.95rem; }
  .facts dt { color: var(--muted); } .facts dd { margin:0; font-weight:600; }
  /* Each instance gets its own colour, so a reload that lands elsewhere is visible at a glance. */
  .chip { display:inline-flex; align-items:center; gap:.45rem; padding:.15rem .65rem .15rem .5rem; border-radius:999px;
          background:hsl(var(--hue) 70% 93%); color:hsl(var(--hue) 45% 28%); border:1px solid hsl(var(--hue) 50% 80%);
          font-variant-numeric: tabular-nums; }
  .chip::before { content:""; width:.6rem; height:.6rem; border-radius:50%; background:hsl(var(--hue) 60% 45%); }
  .live[data-state=open] { color:#2f5a1e; } .live[data-state=closed] { color:#a11; }
  .count { font-size:1.35rem; font-variant-numeric: tabular-nums; line-height:1; }
  form { display:flex; gap:.5rem; margin-top:1rem; }
  input[type=text] { flex:1; padding:.55rem .7rem; border:1px solid var(--line); border-radius:8px; font:inherit; background:#fff; }
  input[type=text]:focus { outline:2px solid var(--accent-2); outline-offset:1px; }
  button, .button { padding:.55rem 1.1rem; border:0; border-radius:8px; background:var(--accent); color:#fff; font:inherit;
           cursor:pointer; text-decoration:none; display:inline-block; }
  button:hover, .button:hover { background:#a3481a; }
  a { color: var(--accent); }
  .error { color:#a11; }
  footer { border-top:1px solid var(--line); margin-top:1rem; padding-top:.75rem; }
  .actions { display:flex; flex-wrap:wrap; gap:.5rem; align-items:center; }
  .actions form { margin:0; }
  .button-quiet, button.button-quiet { background:transparent; color:var(--accent); border:1px solid #dccfb9; }
  .button-quiet:hover, button.button-quiet:hover { background:#f7efe2; }
  .flash { background:#e8f0fb; border:1px solid #b3c8e8; color:#1f3f6e; padding:.55rem .8rem; border-radius:8px; margin-bottom:1rem; }
  .notice { background:#eaf4e4; border:1px solid #b9d7a8; color:#2f5a1e; padding:.55rem .8rem; border-radius:8px; }
  .sessions { list-style:none; margin:1.1rem 0; padding:0; border:1px solid var(--line); border-radius:10px; overflow:hidden; }
  .session { display:flex; align-items:center; gap:.85rem; padding:.8rem 1rem; background:#fff; }
  .session + .session { border-top:1px solid var(--line); }
  .session.current { background:#fbf6ec; }
  .session-icon { flex:none; width:2.3rem; height:2.3rem; border-radius:50%; display:grid; place-items:center;
                  background:#f3ebdd; color:var(--accent); }
  .session-icon svg { width:1.25rem; height:1.25rem; }
  .session-main { flex:1; min-width:0; }
  .session-title { font-weight:600; display:flex; flex-wrap:wrap; align-items:center; gap:.5rem; }
  .session-meta { margin-top:.1rem; overflow-wrap:anywhere; }
  .session-meta .ip { font-variant-numeric: tabular-nums; }
  .session-meta .fact { white-space:nowrap; }
  .badge { font-size:.75rem; font-weight:600; padding:.05rem .5rem; border-radius:999px; background:#e3f0dc; color:#2f5a1e; border:1px solid #b9d7a8; }
  .session form { margin:0; flex:none; }
  .session button { padding:.35rem .8rem; font-size:.9rem; }
`;

/** The mosaic logo as the tab icon, inline so no /favicon.ico request reaches the app (and shifts the balancer's rotation). */
const FAVICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="7" height="7" rx="1.5" fill="#8a3b12"/>' +
      '<rect x="9" width="7" height="7" rx="1.5" fill="#c9a66b"/><rect y="9" width="7" height="7" rx="1.5" fill="#c9a66b"/>' +
      '<rect x="9" y="9" width="7" height="7" rx="1.5" fill="#8a3b12"/></svg>',
  );

/** A stable hue for an instance name: the same instance always wears the same colour. */
function hueOf(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % 360;
}

/**
 * The live element and its script: the visit count pushed over the
 * `/live` WebSocket. Close code 4401 is Tessera's "session ended", with the
 * reason ("session destroyed", "session revoked"...) shown as it is.
 */
const LIVE_ROW = `
  <dt>Live</dt><dd><span class="live" id="live" data-state="connecting">connecting…</span></dd>
<script>
(() => {
  const element = document.getElementById("live");
  const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live");
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    element.dataset.state = "open";
    element.textContent = message.visits + " visits, live from " + message.instance;
  };
  socket.onclose = (event) => {
    element.dataset.state = "closed";
    element.dataset.code = String(event.code);
    element.textContent = event.code === 4401 ? "closed: " + event.reason : "disconnected";
  };
})();
</script>`;

function layout(title: string, context: PageContext, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Tessera</title>
<link rel="icon" href="${FAVICON}">
<style>${STYLE}</style>
</head>
<body>
<main>
${context.banner ? `<div class="banner" role="alert">${escapeHtml(context.banner)}</div>` : ""}
<h1><span class="tile" aria-hidden="true"><i></i><i></i><i></i><i></i></span>${escapeHtml(title)}</h1>
${context.flash ? `<p class="flash" id="flash" role="status">${escapeHtml(context.flash)}</p>` : ""}
${body}
<dl class="facts">
  <dt>Served by</dt><dd><span class="chip" style="--hue:${hueOf(context.instance)}" id="instance">${escapeHtml(context.instance)}</span>${
    context.framework ? ` <span class="muted" id="framework">${escapeHtml(context.framework)}</span>` : ""
  }</dd>
  <dt>Signed in as</dt><dd id="user">${context.username ? escapeHtml(context.username) : "nobody"}</dd>
  <dt>Visits this session</dt><dd><span class="count" id="visits">${context.visits}</span></dd>${context.live && context.username ? LIVE_ROW : ""}
</dl>
<footer class="muted">Your browser holds only an opaque token; the session data stays on the server, in the session store.</footer>
</main>
</body>
</html>`;
}

/** `/`: greets the logged-in user, or links to the login page. */
export function indexPage(context: PageContext): string {
  const body = context.username
    ? `<p class="lead" id="greeting">Logged in as <strong>${escapeHtml(context.username)}</strong>.</p>
<p class="muted">Reload the page: another instance may answer, and you stay logged in.</p>
<form class="actions" method="post" action="/logout">
  <input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(context.csrfToken ?? "")}">
  <button type="submit" id="logout">Log out</button>${
    context.sessionsPage ? ` <a class="button button-quiet" id="sessions-link" href="/sessions">Your sessions</a>` : ""
  }
</form>`
    : `<p class="lead" id="greeting">You are not logged in.</p>
<p><a class="button" id="login" href="/login">Log in</a></p>`;
  return layout("Tessera", context, body);
}

/** The form field that carries the CSRF token: the default of Tessera's CSRF helpers. */
export const CSRF_FIELD = "_csrf";

/**
 * `/login`: the login form, with this session's CSRF token (the login form
 * is protected too: a forged login would sign the victim in as the
 * attacker) and an optional error.
 */
export function loginPage(context: PageContext, csrfToken: string, error?: string): string {
  const body = `<p>Pick a name; there is no password in this demo.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/login">
  <input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrfToken)}">
  <input type="text" name="username" aria-label="Username" placeholder="Username" autofocus required maxlength="64">
  <label class="remember"><input type="checkbox" name="remember" value="on"> Keep me signed in</label>
  <button type="submit">Log in</button>
</form>
<p class="muted"><a href="/">Back</a></p>`;
  return layout("Log in", context, body);
}

/** The error page for a store outage (503). */
export function unavailablePage(context: PageContext): string {
  return layout("Sessions unavailable", context, `<p>The session store is not answering. Your session is safe; try again in a moment.</p>`);
}

/** What the "Your sessions" page shows, besides the usual page facts. */
export interface SessionsView {
  /** The user's live sessions, as `manager.listUserSessions(userId, { currentId })` returns them. */
  sessions: readonly UserSession[];
  /** This session's CSRF token, put in every form on the page. */
  csrfToken: string;
  /** The name of the form field that carries it. */
  csrfField: string;
  /** "Now", epoch ms, for "5 minutes ago". */
  nowMs: number;
  /** A one-line result of the last action ("Signed out 2 other sessions."). */
  notice?: string | undefined;
}

// Small line icons, inline like the favicon (no extra requests), drawn with the text colour.
const ICON_PATHS: Record<DeviceDescription["kind"], string> = {
  desktop: '<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M8 20h8M12 16v4"/>',
  mobile: '<rect x="7" y="2.5" width="10" height="19" rx="2.2"/><path d="M11 18.5h2"/>',
  tablet: '<rect x="4.5" y="2.5" width="15" height="19" rx="2.2"/><path d="M11 18.5h2"/>',
  other: '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.5 2.6 3.7 5.6 3.7 9s-1.2 6.4-3.7 9c-2.5-2.6-3.7-5.6-3.7-9S9.5 5.6 12 3z"/>',
};

function deviceIcon(kind: DeviceDescription["kind"]): string {
  return `<span class="session-icon" aria-hidden="true"><svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${ICON_PATHS[kind]}</svg></span>`;
}

/** A `<time>` that reads "5 minutes ago" and shows the exact UTC time on hover. */
function timeAgo(timeMs: number, nowMs: number, className: string): string {
  const iso = new Date(timeMs).toISOString();
  const exact = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return `<time class="${className}" datetime="${iso}" title="${exact}">${escapeHtml(relativeTime(timeMs, nowMs))}</time>`;
}

function hiddenCsrf(view: SessionsView): string {
  return `<input type="hidden" name="${escapeHtml(view.csrfField)}" value="${escapeHtml(view.csrfToken)}">`;
}

function sessionRow(session: UserSession, view: SessionsView): string {
  // The stored label was derived at login; the icon comes from the stored User-Agent.
  const device = describeDevice(session.userAgent);
  const label = session.label ?? device.label;
  const seen = session.current
    ? `<span class="last-seen">Active now</span>`
    : `Last active ${timeAgo(session.lastSeenAt, view.nowMs, "last-seen")}`;
  const facts = [
    `<span class="ip">${escapeHtml(session.ip ?? "unknown address")}</span>`,
    seen,
    // Signed in = bound at login. createdAt can be earlier: the anonymous session existed before login.
    `Signed in ${timeAgo(session.boundAt, view.nowMs, "signed-in")}`,
  ]
    // Each fact stays on one line; a narrow screen wraps between them.
    .map((fact) => `<span class="fact">${fact}</span>`)
    .join(" · ");
  const action = session.current
    ? ""
    : `<form method="post" action="/sessions/${encodeURIComponent(session.id)}/revoke">${hiddenCsrf(view)}` +
      `<button type="submit" class="button-quiet revoke" aria-label="Revoke ${escapeHtml(label)}">Revoke</button></form>`;
  return `<li class="session${session.current ? " current" : ""}" data-session-id="${escapeHtml(session.id)}" data-current="${session.current}">
  ${deviceIcon(device.kind)}
  <div class="session-main">
    <div class="session-title"><span class="device">${escapeHtml(label)}</span>${session.current ? `<span class="badge this-device">This device</span>` : ""}</div>
    <div class="session-meta muted">${facts}</div>
  </div>
  ${action}
</li>`;
}

/**
 * `/sessions`: "Your sessions". Lists the user's live sessions (device, IP,
 * last seen, signed in, "This device"), a Revoke button on each other
 * session, and "Log out everywhere else". Every form posts the CSRF token.
 *
 * @example
 * ```ts
 * const sessions = await manager.listUserSessions(userId, { currentId: session.id });
 * html(sessionsPage(context, { sessions, csrfToken, csrfField: "_csrf", nowMs: Date.now() }));
 * ```
 */
export function sessionsPage(context: PageContext, view: SessionsView): string {
  // This device first, then the others as listed (most recently seen first).
  const ordered = [...view.sessions.filter((s) => s.current), ...view.sessions.filter((s) => !s.current)];
  const others = ordered.length - view.sessions.filter((s) => s.current).length;
  const body = `${view.notice ? `<p class="notice" role="status" id="notice">${escapeHtml(view.notice)}</p>` : ""}
<p>Where <strong>${escapeHtml(context.username ?? "you")}</strong> is signed in. Revoke a session you don't recognise:
it is signed out on its next request, whichever instance serves it.</p>
<ul class="sessions" id="sessions">
${ordered.map((s) => sessionRow(s, view)).join("\n")}
</ul>
${others === 0 ? `<p class="muted" id="only-this-device">No other sessions: you are signed in on this device only.</p>` : ""}
<div class="actions">
${
  others > 0
    ? `<form method="post" action="/sessions/revoke-others">${hiddenCsrf(view)}<button type="submit" id="revoke-others">Log out everywhere else</button></form>`
    : ""
}
<a class="button button-quiet" href="/">Back</a>
</div>`;
  return layout("Your sessions", context, body);
}

/** The 403 page for a form posted without this session's CSRF token (a stale page, or another site). */
export function formExpiredPage(context: PageContext): string {
  return layout(
    "Form expired",
    context,
    `<p class="error" role="alert">This form is out of date or did not come from this site, so nothing was changed.</p>
<p><a class="button" href="/">Start again</a></p>`,
  );
}

/** Validates a submitted username: trimmed, 1–64 characters. */
export function parseUsername(raw: unknown): { ok: true; username: string } | { ok: false; error: string } {
  const username = typeof raw === "string" ? raw.trim() : "";
  if (username.length === 0) return { ok: false, error: "Please enter a username." };
  if (username.length > 64) return { ok: false, error: "Usernames are at most 64 characters." };
  return { ok: true, username };
}
