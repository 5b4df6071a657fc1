/**
 * The pieces of the login example's "Your sessions" page that need no
 * server: device labels from User-Agents, relative times, and the page's
 * HTML escaping of attacker-controlled text (labels and addresses come from
 * request headers).
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type { UserSession } from "tessera-session";
import { describeDevice } from "../examples/shared/device.js";
import { indexPage, sessionsPage } from "../examples/shared/pages.js";
import { relativeTime } from "../examples/shared/relative-time.js";

it("names devices the way people do", () => {
  const cases: [string | undefined, string, string][] = [
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36", "Chrome on Linux", "desktop"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on macOS", "desktop"],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      "Safari on iPhone",
      "mobile",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
      "Microsoft Edge on Windows",
      "desktop",
    ],
    ["curl/8.5.0", "curl", "other"],
    ["", "Unknown device", "other"],
    [undefined, "Unknown device", "other"],
    ["<script>alert(1)</script>", "Unknown device", "other"],
  ];
  for (const [userAgent, label, kind] of cases) assert.deepEqual(describeDevice(userAgent), { label, kind }, String(userAgent));
});

it("says how long ago, in the largest whole unit", () => {
  const now = Date.UTC(2026, 0, 15, 12);
  assert.equal(relativeTime(now, now), "just now");
  assert.equal(relativeTime(now - 30_000, now), "just now");
  assert.equal(relativeTime(now - 50_000, now), "1 minute ago");
  assert.equal(relativeTime(now - 5 * 60_000, now), "5 minutes ago");
  assert.equal(relativeTime(now - 3 * 3600_000, now), "3 hours ago");
  assert.equal(relativeTime(now - 26 * 3600_000, now), "yesterday");
  assert.equal(relativeTime(now - 9 * 24 * 3600_000, now), "last week");
  assert.equal(relativeTime(now + 2 * 3600_000, now), "in 2 hours");
});

const base = { instance: "app-1", username: "ada", visits: 3, sessionsPage: true };

function session(overrides: Partial<UserSession>): UserSession {
  const now = Date.UTC(2026, 0, 15, 12);
  return {
    id: "id-1",
    userId: "ada",
    createdAt: now - 3600_000,
    boundAt: now - 3600_000,
    lastSeenAt: now - 120_000,
    expiresAt: now + 1800_000,
    label: "Firefox on macOS",
    ip: "198.51.100.23",
    userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:128.0) Gecko/20100101 Firefox/128.0",
    current: false,
    ...overrides,
  };
}

it("renders this device first, with no Revoke button, and escapes every header-borne text", () => {
  const html = sessionsPage(base, {
    sessions: [
      session({ id: "other<1>", label: '<img src=x onerror="alert(1)">', ip: "1.2.3.4<b>" }),
      session({ id: "mine", current: true, label: "Chrome on Linux" }),
    ],
    csrfToken: 'tok"en',
    csrfField: "_csrf",
    nowMs: Date.UTC(2026, 0, 15, 12),
  });
  assert.ok(html.indexOf('data-session-id="mine"') < html.indexOf('data-session-id="other&#60;1&#62;"'), "this device comes first");
  assert.doesNotMatch(html, /<img src=x/);
  assert.ok(html.includes("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;"));
  assert.match(html, /1\.2\.3\.4&#60;b&#62;/);
  assert.match(html, /action="\/sessions\/other%3C1%3E\/revoke"/, "ids are URL-encoded in form actions");
  assert.doesNotMatch(html, /action="\/sessions\/mine\/revoke"/);
  assert.match(html, /value="tok&#34;en"/);
  assert.match(html, /Last active <time class="last-seen" datetime="2026-01-15T11:58:00.000Z" title="2026-01-15 11:58:00 UTC">2 minutes ago<\/time>/);
  assert.match(html, /Signed in <time class="signed-in"[^>]*>1 hour ago<\/time>/);
  assert.match(html, /id="revoke-others"/);
});

it("links the sessions page from the index only for apps that serve it", () => {
  assert.match(indexPage(base), /id="sessions-link"/);
  assert.doesNotMatch(indexPage({ ...base, sessionsPage: undefined }), /id="sessions-link"/);
  assert.doesNotMatch(indexPage({ ...base, username: undefined }), /id="sessions-link"/);
});
