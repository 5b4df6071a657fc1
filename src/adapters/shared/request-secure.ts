import type { RequestFacts } from "../../core/session.js";

/**
 * A request's `secure` fact, read from the framework's request only when a
 * cookie is rendered, and only while its response is being answered.
 *
 * Why lazily: on Express, `req.secure` runs the trust-proxy getters
 * (`req.protocol`, `req.app`, the socket), each a lookup that misses V8's
 * caches on a request whose prototype Express swapped, about 14k
 * instructions, and most requests render no cookie.
 *
 * Why {@link release}: the session handle holds its facts, and the handle is
 * the value of the `req.session` WeakMap entry keyed by the request. While
 * that value reaches its own key, the request cannot die young (the
 * collector's young-generation passes keep such an entry's key), which cost
 * Express 34-44k instructions per request in the collector
 * (bench/results/read-profile-latest.md). So the request is dropped as soon
 * as the response goes out, as the held response's own entry is.
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
