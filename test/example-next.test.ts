/**
 * The Next.js login example as a production build (`next build`, reused
 * when its sources did not change), served by examples/next-login/server.ts
 * in its own process against a real redis-server: the same login flow as
 * every framework's example, plus a server component that reads the
 * session and a server action whose commit reaches the browser with its
 * redirect, posted as a plain HTML form (no JavaScript). The checks every
 * example passes are test/support/login-examples.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NEXT_LOGIN_BUILD } from "../examples/next-login/build.js";
import { CookieClient, formCsrfToken } from "./support/http.js";
import { builtExample, checkApiTokens, checkBuildReused, checkForgedLoginsRefused, checkFormLogin, checkStoreOutage, pageText as text } from "./support/login-examples.js";

describe("Next.js login example (production build)", () => {
  // A first start builds the app (minutes on a busy 2-core machine); later ones reuse the build.
  const example = builtExample("next", "next-a");

  it("logs in through the form, greets the user with a visit counter, and logs out", () =>
    checkFormLogin(example.app.url, { instance: example.app.instance, framework: "Next.js", servedBy: true }));

  it("refuses a login form posted without its CSRF token or from another site (403), logging no one in", () => checkForgedLoginsRefused(example.app.url));

  it("a server component reads the session; a server action, posted as a plain form, commits before its redirect", async () => {
    const browser = new CookieClient(example.app.url);
    await browser.post("/login", { username: "grace", _csrf: formCsrfToken((await browser.get("/login")).body) });
    await browser.get("/");
    await browser.get("/");
    const account = await browser.get("/account");
    assert.equal(account.status, 200);
    assert.match(account.body, /Logged in as grace\./);
    assert.equal(text(account.body, "visits"), "2");
    assert.deepEqual(account.setCookies, [], "a server component sets no cookie");

    // The progressive-enhancement form: Next renders the action's id as hidden inputs.
    const hidden = [...account.body.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g)];
    assert.ok(hidden.length > 0, "the action form carries its hidden action id");
    const body = new FormData();
    for (const [, name, value] of hidden) body.append(name!, value ?? "");
    const posted = await browser.request("/account", { method: "POST", body, headers: { origin: example.app.url } });
    assert.equal(posted.status, 303, posted.body.slice(0, 200));
    assert.equal(posted.headers.get("location"), "/account");
    assert.equal(text((await browser.get("/account")).body, "visits"), "0", "the redirect's target sees the action's change");
    assert.match((await browser.get("/")).body, /Logged in as <strong>grace<\/strong>/);
  });

  it("the JSON API: a token and no cookie, the Bearer token read, logout ends it", () => checkApiTokens(example.app.url, example.app.instance));

  it("answers 503 while Redis hangs instead of logging the user out, then carries on", () => checkStoreOutage(example.app.url, example.redis, example.app.instance));

  it("a second start reuses the build: ready without building again", () => checkBuildReused("next", NEXT_LOGIN_BUILD.stampFile, example.redis.url));
});
