import type { RequestFacts } from "../../core/session.js";

/**
 * A request's `secure` fact, read from the framework's request (Express's
 * `req`) only when a cookie is rendered, and only while its response is
 * being answered. Not worth it where the answer is cheap: on Koa, whose
 * `ctx.secure` costs little, this object cost 1.7k instructions more per
 * anonymous request than the plain value.
 *
 * Why lazily: on Express, `req.secure` runs the trust-proxy getters
 * (`req.protocol`, `req.app`, the socket), each a lookup that misses V8's
 * caches on a request whose prototype Express swapped, about 11k
 * instructions, and most requests render no cookie.
 *
 * Why {@link release}: the session handle holds its facts. On Express the
 * handle is the value of the `req.session` WeakMap entry keyed by the
 * request, and while that value reaches its own key the request cannot die
 * young (the collector's young-generation passes keep such an entry's key):
 * 34-44k instructions per request in the collector
 * (bench/results/read-profile-latest.md). And a session an app keeps past
 * its request should not keep the request. So the adapter releases the
 * request once the response is out, as the held response's own entry is
 * dropped.
 *
 * @example
 * ```ts
 * const facts = new RequestSecure(req);
 * const session = await manager.load({ cookieHeader: req.headers.cookie, secure: facts });
 * // ...the response is committed and sent...
 * facts.release();
 * ```
 */
export class RequestSecure implements RequestFacts {
  #request: { readonly secure: boolean } | undefined;
  #answer: boolean | undefined;

  constructor(request: { readonly secure: boolean }) {
    this.#request = request;
  }

  /**
   * The request's own answer, read once. After {@link release} without it
   * having been asked, `true`: a cookie rendered then cannot reach the
   * client any more, and should one be, it is on the safe side.
   */
  get secure(): boolean {
    this.#answer ??= this.#request === undefined ? true : this.#request.secure;
    return this.#answer;
  }

  /** The response went out: the request is no longer read, nor held. */
  release(): void {
    this.#request = undefined;
  }
}
