// The one minimal app every benchmark app implements, whatever the
// framework and session library. Handlers work on a plain data record: the
// session library's (req.session, ctx.session, session.data...) or, for the
// bare frameworks, a fresh empty object.

/** What a login stores: the same for every library, so bytes per session compare. */
export const USER = Object.freeze({ id: 1234, name: "ada" });

/**
 * How one app plugs its session library into a framework shell
 * (`frameworks/*.js`). `data` returns the request's session record.
 *
 * @typedef {object} SessionPlugin
 * @property {(app: any) => unknown} install  registers the middleware or plugin
 * @property {(reqOrCtx: any) => Record<string, any>} data  the request's session record
 * @property {(reqOrCtx: any) => Promise<unknown>} login  the library's documented login step (regenerate)
 */

/** A bare framework: no session, every request is a stranger. @type {SessionPlugin} */
export const noSession = {
  install() {},
  data: () => ({}),
  login: async () => undefined,
};

/** `GET /`: the authenticated read. */
export function greet(data) {
  const user = data.user;
  return `hello ${user ? user.name : "stranger"}`;
}

/** `GET /hit`: a write on every request. */
export function hit(data) {
  data.hits = (data.hits ?? 0) + 1;
  return `hits ${data.hits}`;
}

/** `GET /set?i=N`: sets its own key, for the lost-update test. */
export function setKey(data, i) {
  data[`k${Number(i)}`] = Number(i);
  return "ok";
}

/** `GET /keys`: the `kN` keys that survived, as a JSON array. */
export function listKeys(data) {
  return JSON.stringify(Object.keys(data).filter((key) => /^k\d+$/.test(key)));
}

/**
 * The benchmark routes by method and path, for the shells that route by
 * hand (node:http and the full-stack frameworks' catch-all routes).
 *
 * @param {SessionPlugin} plugin
 * @param {string} method
 * @param {string} pathname
 * @param {URLSearchParams} query
 * @param {any} reqOrCtx  what `plugin.data` and `plugin.login` take
 * @returns {Promise<string | undefined>} the body, or undefined for no such route
 */
export async function answer(plugin, method, pathname, query, reqOrCtx) {
  const key = `${method} ${pathname}`;
  if (key === "GET /") return greet(plugin.data(reqOrCtx));
  if (key === "GET /hit") return hit(plugin.data(reqOrCtx));
  if (key === "GET /set") return setKey(plugin.data(reqOrCtx), query.get("i"));
  if (key === "GET /keys") return listKeys(plugin.data(reqOrCtx));
  if (key === "POST /login") return login(plugin, reqOrCtx);
  return undefined;
}

/** `POST /login`: the library's login step, then the user. */
export async function login(plugin, reqOrCtx) {
  await plugin.login(reqOrCtx);
  plugin.data(reqOrCtx).user = { ...USER };
  return "welcome";
}
