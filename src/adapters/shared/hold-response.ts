import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { RequestOutcome, SessionManager } from "../../core/manager.js";
import type { Session } from "../../core/session.js";
import type { ResponseHeader } from "../../core/token-delivery.js";
import { isServerError, requestOutcome } from "./failed-request.js";
import { prototypeLayer } from "./prototype-layer.js";

type EndArgs = Parameters<ServerResponse["end"]>;
type WriteArgs = Parameters<ServerResponse["write"]>;
type HeaderList = OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;

/**
 * Applies what an explicit `writeHead(status, [message], [headers])` asked
 * for without sending it yet: headers stay open until the body starts, so
 * the Set-Cookie decided at commit can still be added.
 */
function recordWriteHead(res: ServerResponse, args: unknown[]): void {
  const [statusCode, second, third] = args as [number, string | HeaderList, HeaderList];
  res.statusCode = statusCode;
  if (typeof second === "string") res.statusMessage = second;
  const headers = typeof second === "string" ? third : second;
  if (headers === undefined) return;
  if (!Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    return;
  }
  // Node accepts [[name, value], ...] and the flat [name, value, name, value].
  const pairs: Array<[string, OutgoingHttpHeader]> = Array.isArray(headers[0])
    ? (headers as unknown as Array<[string, OutgoingHttpHeader]>)
    : Array.from({ length: headers.length / 2 }, (_, i) => [String(headers[2 * i]), headers[2 * i + 1]!]);
  for (const [name, value] of pairs) {
    if (name.toLowerCase() === "set-cookie") res.appendHeader(name, value as string | string[]);
    else res.setHeader(name, value);
  }
}

/** The response methods a held response wraps. */
const WRAPPED = ["writeHead", "flushHeaders", "write", "end"] as const;
type WriteHead = (...args: unknown[]) => ServerResponse;
type Write = (...args: WriteArgs) => boolean;
type End = (...args: EndArgs) => ServerResponse;
type FlushHeaders = () => void;

/**
 * One held response: its state and what the wrappers do, given the
 * original method to call through. Per request, one object and one WeakMap
 * entry instead of four closures as own methods of `res` (slow on Express's,
 * see {@link prototypeLayer}; a plain node:http response gets the layer's
 * four methods, shared by every response, as its own).
 */
class HeldResponse<D extends object> {
  markedFailed = false;
  /** The Set-Cookie values already appended, so that a second emission (pending, then committed) adds only new ones. */
  emittedCookies: string[] | undefined = undefined;
  committing = false;
  /** True once the headers may really go out: the body started, or the end was committed. */
  sending = false;

  constructor(
    readonly res: ServerResponse,
    readonly session: Session<D>,
    readonly manager: SessionManager<D>,
    readonly onError: (error: unknown) => void,
    readonly options: HoldOptions,
  ) {}

  markFailed(): void {
    this.markedFailed = true;
  }

  outcome(): RequestOutcome {
    return requestOutcome(this.markedFailed, this.res.statusCode);
  }

  /** Adds the session's response headers (the manager's list) while the headers are still open. */
  emitHeaders(headers: readonly ResponseHeader[]): void {
    const { res } = this;
    if (headers.length === 0 || res.headersSent) return;
    for (const [name, value] of headers) {
      if (name !== "set-cookie") res.setHeader(name, value);
      else if (this.emittedCookies?.includes(value) !== true) {
        res.appendHeader("Set-Cookie", value);
        (this.emittedCookies ??= []).push(value);
      }
    }
  }

  startSending(): void {
    if (this.sending) return;
    this.sending = true;
    this.emitHeaders(this.manager.pendingResponseHeaders(this.session, this.outcome()));
  }

  writeHead(self: ServerResponse, args: unknown[], original: WriteHead): ServerResponse {
    if (this.sending || this.res.headersSent) return original.apply(self, args);
    recordWriteHead(this.res, args);
    return this.res;
  }

  flushHeaders(self: ServerResponse, original: FlushHeaders): void {
    this.startSending();
    original.apply(self);
  }

  write(self: ServerResponse, args: WriteArgs, original: Write): boolean {
    this.startSending();
    return original.apply(self, args);
  }

  end(self: ServerResponse, args: EndArgs, original: End): ServerResponse {
    const { res } = this;
    // The error page sent by onError ends through here too: let it out.
    if (this.committing) return original.apply(self, args);
    this.committing = true;
    const headers = this.manager.commitResponseNowOrLater(this.session, this.outcome());
    // Nothing to write (most requests): the response goes out now, not a turn later.
    if (!(headers instanceof Promise)) return this.sendCommitted(headers, args, original);
    this.options.onEndHeld?.();
    headers.then(
      (committed) => this.sendCommitted(committed, args, original),
      (error: unknown) => this.commitFailed(error, args, original),
    );
    return res;
  }

  /**
   * The response goes out for good: its entry leaves the table, and the
   * wrappers pass straight through from then on, as they do once `sending`.
   * Why not leave it to the WeakMap: a weak entry keeps its value (this
   * object, and through it the session and `onError`, Express's `next`)
   * alive as long as its key, and an Express response outlives its request
   * (it is promoted, and its socket holds it until the next request). Left
   * in, the entries cost about 45,000 instructions per Express request,
   * about a quarter of Tessera's cost over the floor on a read
   * (`bench/instructions.ts --apps=tessera-express:read --base=...`).
   */
  release(): void {
    if (heldResponses.get(this.res) === this) heldResponses.delete(this.res);
    this.options.onSent?.();
  }

  /** Ends the response with the headers of its commit. */
  sendCommitted(headers: readonly ResponseHeader[], args: EndArgs, original: End): ServerResponse {
    this.release();
    this.emitHeaders(headers);
    this.sending = true;
    return original.apply(this.res, args);
  }

  /** The commit failed: the route's response is replaced by the error path's, or cut if it is too late for that. */
  commitFailed(error: unknown, args: EndArgs, original: End): void {
    this.release();
    const { res } = this;
    if (res.headersSent) {
      // Too late for an error page: cut the response so the client can
      // tell it failed rather than see a complete, misleading one.
      res.destroy(error instanceof Error ? error : undefined);
      return;
    }
    if (isServerError(res.statusCode)) {
      // Already an error response (typically the app's own error page
      // for this very store failure): replacing it with another error
      // would only swap the app's page for the framework's default.
      this.sending = true;
      original.apply(res, args);
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.statusCode = 200; // the error page sets its own status
    this.sending = true;
    this.onError(error);
  }
}

/** The responses held through the prototype layer. */
const heldResponses = new WeakMap<object, HeldResponse<object>>();
/** The (rare) responses held through own methods instead: held twice, or wrapped by another middleware first. */
const ownWrapped = new WeakMap<object, Array<HeldResponse<object>>>();

/** A method as prototypes define theirs: writable, configurable, not enumerable. */
const method = (value: (...args: never[]) => unknown): PropertyDescriptor => ({ value, writable: true, configurable: true });

/**
 * The wrappers, one set per base prototype (the first in the chain that
 * defines one of the wrapped methods: `ServerResponse.prototype`, or a
 * subclass's). A response with no held state passes through to the base's
 * method, read when called, as the per-request wrappers read `res.end`.
 */
const heldLayer = prototypeLayer(
  (proto) => WRAPPED.some((name) => Object.hasOwn(proto, name)),
  (base) => {
    const original = base as ServerResponse;
    return Object.create(base, {
      writeHead: method(function writeHead(this: ServerResponse, ...args: unknown[]) {
        const held = heldResponses.get(this);
        return held ? held.writeHead(this, args, original.writeHead as WriteHead) : (original.writeHead as WriteHead).apply(this, args);
      }),
      flushHeaders: method(function flushHeaders(this: ServerResponse) {
        const held = heldResponses.get(this);
        return held ? held.flushHeaders(this, original.flushHeaders) : original.flushHeaders.apply(this);
      }),
      write: method(function write(this: ServerResponse, ...args: WriteArgs) {
        const held = heldResponses.get(this);
        return held ? held.write(this, args, original.write as Write) : (original.write as Write).apply(this, args);
      }),
      end: method(function end(this: ServerResponse, ...args: EndArgs) {
        const held = heldResponses.get(this);
        return held ? held.end(this, args, original.end as End) : (original.end as End).apply(this, args);
      }),
    }) as object;
  },
);

/**
 * Wraps the methods as own properties of `res`, around whatever `res` has
 * now: for a response an earlier middleware already wrapped (compression,
 * a second session middleware), whose own methods would hide the layer's.
 */
function wrapOwnMethods<D extends object>(held: HeldResponse<D>): void {
  const { res } = held;
  const writeHead = res.writeHead as WriteHead;
  const flushHeaders = res.flushHeaders;
  const write = res.write as Write;
  const end = res.end as End;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    return held.writeHead(this, args, writeHead);
  } as ServerResponse["writeHead"];
  res.flushHeaders = function (this: ServerResponse) {
    held.flushHeaders(this, flushHeaders);
  };
  res.write = function (this: ServerResponse, ...args: WriteArgs) {
    return held.write(this, args, write);
  } as ServerResponse["write"];
  res.end = function (this: ServerResponse, ...args: EndArgs) {
    return held.end(this, args, end);
  } as ServerResponse["end"];
}

/** The optional parts of a hold, for adapters that need them. */
export interface HoldOptions {
  /**
   * Told when the app's `res.end()` is held for a commit (a response with
   * nothing to write ends at once), for a framework that must then learn
   * the response is answered though not yet ended (h3).
   */
  readonly onEndHeld?: (() => void) | undefined;
  /** Told once the response goes out for good (or is cut), its commit settled: the adapter drops what it held for the request. */
  readonly onSent?: (() => void) | undefined;
}

const NO_OPTIONS: HoldOptions = {};

/** What {@link holdResponseUntilCommitted} returns to its adapter. */
export interface HeldResponseControl {
  /** Marks the request failed (an unhandled error): its session changes are discarded. */
  markFailed(): void;
}

/**
 * For adapters over a raw `node:http` response (Express, plain node:http):
 * holds `res.end` until the session is committed, so a client that follows
 * a redirect at once already sees the new data, and adds the headers the
 * commit decides (`manager.commitResponse`: Set-Cookie, a header client's
 * token headers). An explicit `res.writeHead()` is recorded, not sent, so
 * the cookie can still join the headers; when the body starts first (a
 * stream), the headers decided so far go out (`manager.pendingResponseHeaders`).
 *
 * A request that fails (a 5xx status when the headers go out, or
 * `markFailed()` after an unhandled error) has its session changes
 * discarded, unless the manager's `commitOnError` is on, and carries no new
 * session cookie.
 *
 * On a commit failure before anything was sent, the route's response is
 * discarded (headers removed) and `onError` gets the error so the
 * framework's error path can answer instead, unless the response already is
 * a 5xx error page, which goes out as it is; after headers were sent, the
 * response is cut so the client can tell it failed.
 *
 * `options` (see {@link HoldOptions}): `onEndHeld`, told when the end is
 * held for a commit (h3); `onSent`, told when the response has gone out.
 *
 * @example
 * ```ts
 * const session = await manager.load({ cookieHeader: req.headers.cookie, secure: false });
 * const held = holdResponseUntilCommitted(res, session, manager, (error) => sendErrorPage(res, error));
 * handle(req, res).catch((error) => { held.markFailed(); sendErrorPage(res, error); });
 * ```
 */
export function holdResponseUntilCommitted<D extends object>(
  res: ServerResponse,
  session: Session<D>,
  manager: SessionManager<D>,
  onError: (error: unknown) => void,
  options: HoldOptions = NO_OPTIONS,
): HeldResponseControl {
  const held = new HeldResponse(res, session, manager, onError, options);
  if (heldResponses.has(res) || WRAPPED.some((name) => Object.hasOwn(res, name))) {
    wrapOwnMethods(held);
    ownWrapped.set(res, [...(ownWrapped.get(res) ?? []), held as HeldResponse<object>]);
  } else {
    heldResponses.set(res, held as HeldResponse<object>);
    heldLayer.insertInto(res);
  }
  return held;
}

/**
 * Marks the request failed (an unhandled error) on every response hold of
 * `manager` on `res`: its session changes are discarded. What an error
 * middleware calls, with no map of its own from responses to holds.
 *
 * @example
 * ```ts
 * const failOnError: ErrorRequestHandler = (error, _req, res, next) => {
 *   if (isUnhandledError(error)) markHeldResponseFailed(res, manager);
 *   next(error);
 * };
 * ```
 */
export function markHeldResponseFailed(res: ServerResponse, manager: SessionManager<never>): void {
  for (const held of holdsOf(res, manager)) held.markFailed();
}

/**
 * The session `manager`'s hold on `res` carries, if any: what an adapter's
 * typed accessor answers when two middlewares (two managers) serve one
 * request, where the request's own `session` property is the last one's.
 *
 * @example
 * ```ts
 * const session = (req: Request) => (heldSessionOf(req.res!, manager) ?? req.session) as Session<D>;
 * ```
 */
export function heldSessionOf(res: ServerResponse, manager: SessionManager<never>): Session<object> | undefined {
  return holdsOf(res, manager)[0]?.session;
}

/** The holds of `manager` on `res`: the prototype layer's, then those on own methods. */
function holdsOf(res: ServerResponse, manager: SessionManager<never>): Array<HeldResponse<object>> {
  const layered = heldResponses.get(res);
  const holds = layered?.manager === manager ? [layered] : [];
  for (const held of ownWrapped.get(res) ?? []) if (held.manager === manager) holds.push(held);
  return holds;
}
