import { resolveStoreOutage, type StoreOutagePolicy } from "../../core/options.js";

/**
 * The per-route store outage option every adapter takes, `R` being its
 * framework's request (Express `req`, Fastify `request`, Koa `ctx`, Hono
 * `c`, node:http `req`).
 */
export interface StoreOutageOption<R> {
  /**
   * Store outage policy for the requests this adapter handles, overriding
   * the manager's `storeOutage`: `"fail"` (`SessionStoreError`, 503, on the
   * framework's error path) or `"anonymous"` (an empty session marked
   * `unavailable`, never written back, cookie untouched). A function of
   * the request chooses per request, e.g. per route; it runs at every load
   * and may return `undefined` to keep the manager's policy.
   *
   * @example
   * ```ts
   * app.use(expressSession(sessions, { storeOutage: (req) => (req.method === "GET" ? "anonymous" : "fail") }));
   * ```
   */
  storeOutage?: StoreOutagePolicy | ((request: R) => StoreOutagePolicy | undefined);
}

/**
 * Checks a per-request or per-route policy: `undefined` (keep the
 * manager's) or a valid policy.
 *
 * @throws SessionConfigError for anything but "fail", "anonymous" or undefined.
 *
 * @example
 * ```ts
 * checkedStoreOutage(route.config.tesseraStoreOutage, `route ${route.url} config.tesseraStoreOutage`);
 * ```
 */
export function checkedStoreOutage(value: unknown, where: string): StoreOutagePolicy | undefined {
  return value === undefined ? undefined : resolveStoreOutage(value, where);
}

/**
 * Validates an adapter's `storeOutage` option when the adapter is created,
 * so a typo fails at start-up, and returns the policy of one request for
 * `manager.load()` (`undefined`: the manager's). A function's result is
 * checked at every request: a bad chooser shows at once, not only during
 * the first outage, when its error would replace every page.
 *
 * @throws SessionConfigError when the option is neither a policy nor a
 * function (at once), or when the function returns something else (from
 * the returned function).
 *
 * @example
 * ```ts
 * const storeOutageOf = storeOutageChooser<Request>(options.storeOutage, "expressSession storeOutage");
 * await manager.load({ cookieHeader: req.headers.cookie, secure: req.secure, storeOutage: storeOutageOf(req) });
 * ```
 */
export function storeOutageChooser<R>(option: StoreOutageOption<R>["storeOutage"], where: string): (request: R) => StoreOutagePolicy | undefined {
  if (typeof option === "function") return (request) => checkedStoreOutage(option(request), `${where} (the function's result)`);
  const policy = checkedStoreOutage(option, where);
  return () => policy;
}
