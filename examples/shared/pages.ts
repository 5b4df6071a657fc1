/**
 * The login example's pages, shared by every framework's version so they
 * look and behave the same. Plain HTML and a little CSS, no framework.
 */

/** What every page shows in its footer and header. */
export interface PageContext {
  /** Which app instance served the page (name and pid). */
  instance: string;
  /** The logged-in user, if any. */
  username: string | undefined;
  /** Visits counted in this session. */
  visits: number;
  /** A warning shown on every page (e.g. "memory store: sessions are not shared"). */
  banner?: string | undefined;
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
${body}
<dl class="facts">
  <dt>Served by</dt><dd><span class="chip" style="--hue:${hueOf(context.instance)}" id="instance">${escapeHtml(context.instance)}</span></dd>
  <dt>Signed in as</dt><dd id="user">${context.username ? escapeHtml(context.username) : "nobody"}</dd>
  <dt>Visits this session</dt><dd><span class="count" id="visits">${context.visits}</span></dd>
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
<p><a class="button" id="logout" href="/logout">Log out</a></p>`
    : `<p class="lead" id="greeting">You are not logged in.</p>
<p><a class="button" id="login" href="/login">Log in</a></p>`;
  return layout("Tessera", context, body);
}

/** `/login`: the login form, with an optional error. */
export function loginPage(context: PageContext, error?: string): string {
  const body = `<p>Pick a name; there is no password in this demo.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/login">
  <input type="text" name="username" aria-label="Username" placeholder="Username" autofocus required maxlength="64">
  <button type="submit">Log in</button>
</form>
<p class="muted"><a href="/">Back</a></p>`;
  return layout("Log in", context, body);
}

/** The error page for a store outage (503). */
export function unavailablePage(context: PageContext): string {
  return layout("Sessions unavailable", context, `<p>The session store is not answering. Your session is safe; try again in a moment.</p>`);
}

/** Validates a submitted username: trimmed, 1–64 characters. */
export function parseUsername(raw: unknown): { ok: true; username: string } | { ok: false; error: string } {
  const username = typeof raw === "string" ? raw.trim() : "";
  if (username.length === 0) return { ok: false, error: "Please enter a username." };
  if (username.length > 64) return { ok: false, error: "Usernames are at most 64 characters." };
  return { ok: true, username };
}
