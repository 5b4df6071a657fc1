import { BlockList, isIP } from "node:net";
import { SessionConfigError } from "../../core/errors.js";
import { forwardedHttps, forwardedValues } from "./forwarded.js";

/**
 * Which proxies in front of the app are trusted to say whether the client
 * used HTTPS, as Express's `trust proxy` setting:
 * - `false` (default): none; `X-Forwarded-Proto` is ignored.
 * - a number `n`: the `n` hops nearest the app are proxies, whatever their
 *   addresses (right when the app is reachable only through them).
 * - `true`: the same as `1`, one proxy in front (unlike Express's `true`,
 *   which trusts every hop and so the client's own claim).
 * - an address, a CIDR range or a name (`"loopback"`, `"linklocal"`,
 *   `"uniquelocal"`), or a list of them (an array, or one comma-separated
 *   string): hops whose address matches are proxies.
 * - a function `(address, hop) => boolean`: hop 0 is the peer, hop 1 the
 *   last `X-Forwarded-For` entry, and so on.
 *
 * @example
 * ```ts
 * nodeSession(sessions, { trustProxy: "loopback" }); // a load balancer on the same host
 * honoSession(sessions, { trustProxy: 1 });            // one proxy, address unknown (edge runtimes)
 * ```
 */
export type TrustProxy = boolean | number | string | readonly string[] | ((address: string, hop: number) => boolean);

/** The `trustProxy` option of the adapters that have no proxy setting of their own to follow (node:http, Hono). */
export interface TrustProxyOption {
  /**
   * Which proxies may tell, with `X-Forwarded-Proto`, that the client used
   * HTTPS (for the cookie's Secure attribute with `secure: "auto"`), as
   * Express's `trust proxy`: a number of proxies, their addresses or ranges
   * (`"loopback"`, `"10.0.0.0/8"`), or a function; `true` means one proxy.
   * Only the value the farthest trusted proxy wrote counts, never what the
   * client put to its left. Addresses are known where the runtime tells
   * the peer's address (node:http, `@hono/node-server`); elsewhere use a
   * number. Default `false`: only the connection's own scheme counts (a
   * TLS socket, `https.createServer`, on node:http; the request URL's
   * scheme on Hono).
   *
   * @example
   * ```ts
   * nodeSession(sessions, { trustProxy: "loopback" }); // a load balancer on the same host
   * ```
   */
  trustProxy?: TrustProxy;
}

/** What the adapter knows of a request's path through proxies. */
export interface ProxyHops {
  /** The address of the peer that connected to the app, when the runtime tells it. */
  readonly peerAddress: string | undefined;
  /** The request's `X-Forwarded-For` header. */
  readonly forwardedFor: string | string[] | null | undefined;
}

/** The named ranges Express's `trust proxy` (proxy-addr) knows. */
const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = {
  loopback: ["127.0.0.0/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

const FIX = 'Give addresses or CIDR ranges ("10.0.0.0/8"), "loopback", "linklocal" or "uniquelocal", or the number of proxies (1).';

function addRange(list: BlockList, entry: string, where: string): void {
  const [address = "", prefix, extra] = entry.split("/");
  const family = isIP(address);
  const maxPrefix = family === 4 ? 32 : 128;
  const bits = prefix === undefined ? maxPrefix : Number(prefix);
  if (family === 0 || extra !== undefined || !/^\d+$/.test(prefix ?? "0") || bits > maxPrefix) {
    const hint = /^\d+$/.test(entry) ? ` For ${entry} proxies, pass the number ${entry}, not a string.` : "";
    throw new SessionConfigError(`${where}: "${entry}" is not an address or CIDR range.${hint} ${FIX}`);
  }
  list.addSubnet(address, bits, family === 4 ? "ipv4" : "ipv6");
}

/** A trust function over a list of addresses, ranges and names. */
function addressTrust(entries: readonly string[], where: string): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const name = entry.trim();
    for (const range of NAMED_RANGES[name.toLowerCase()] ?? [name]) addRange(list, range, where);
  }
  // BlockList matches IPv4-mapped IPv6 peers ("::ffff:127.0.0.1") against IPv4 ranges.
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? "ipv4" : "ipv6");
  };
}

/** Counts the consecutive trusted hops from the app outwards: the peer, then `X-Forwarded-For` from the right. */
function walkHops(trust: (address: string, hop: number) => boolean): (hops: ProxyHops) => number {
  return ({ peerAddress, forwardedFor }) => {
    if (peerAddress === undefined) return 0; // an unknown peer is not a trusted proxy
    const addresses = [peerAddress, ...forwardedValues(forwardedFor).reverse()];
    let trusted = 0;
    while (trusted < addresses.length && trust(addresses[trusted]!, trusted)) trusted++;
    return trusted;
  };
}

/** Whether `option` trusts no proxy at all (absent, `false` or `0`): no hop is ever trusted. */
function trustsNoProxy(option: TrustProxy | undefined): boolean {
  return option === undefined || option === false || option === 0;
}

/**
 * Compiles a {@link TrustProxy} option into a function that counts how many
 * hops nearest the app are trusted proxies for one request; that count says
 * which `X-Forwarded-Proto` value to read (see `forwardedHttps`).
 *
 * @throws SessionConfigError for an option that is none of the forms, saying how to fix it.
 *
 * @example
 * ```ts
 * const trustedHops = trustedHopCounter("loopback", "nodeSession trustProxy");
 * trustedHops({ peerAddress: "127.0.0.1", forwardedFor: "203.0.113.7" }); // 1
 * ```
 */
export function trustedHopCounter(option: TrustProxy | undefined, where: string): (hops: ProxyHops) => number {
  if (trustsNoProxy(option)) return () => 0;
  if (option === true) return () => 1;
  if (typeof option === "number") {
    if (!Number.isInteger(option) || option < 0) {
      throw new SessionConfigError(`${where} must be a whole number of proxies (0 or more), got ${option}. ${FIX}`);
    }
    return () => option;
  }
  if (typeof option === "function") return walkHops(option);
  if (typeof option === "string" || (Array.isArray(option) && option.every((entry) => typeof entry === "string"))) {
    const entries = typeof option === "string" ? option.split(",") : (option as readonly string[]);
    const trust = addressTrust(entries, where);
    return walkHops((address) => trust(address));
  }
  throw new SessionConfigError(`${where} must be false, a number of proxies, addresses or a function, got ${JSON.stringify(option)}. ${FIX}`);
}

/** A request's forwarding facts: its path through proxies and its `X-Forwarded-Proto` header. */
export interface ForwardedFacts extends ProxyHops {
  readonly forwardedProto: string | string[] | null | undefined;
}

/**
 * Compiles a {@link TrustProxy} option into the HTTPS test the node and Hono
 * adapters use: true when the trusted proxies say the client used HTTPS.
 * `undefined` when the option trusts no proxy (absent, `false` or `0`), so
 * that an adapter calls it as `viaHttpsProxy?.(facts)` and reads no
 * forwarding header at all: on Hono, fetching the two headers and the peer
 * address cost every request about 3k instructions for nothing.
 *
 * @throws SessionConfigError for an option that is none of the forms.
 *
 * @example
 * ```ts
 * const viaHttps = trustedForwardedHttps(1, "honoSession trustProxy");
 * viaHttps?.({ peerAddress: undefined, forwardedFor: undefined, forwardedProto: "https, http" }); // false
 * ```
 */
export function trustedForwardedHttps(option: TrustProxy | undefined, where: string): ((facts: ForwardedFacts) => boolean) | undefined {
  if (trustsNoProxy(option)) return undefined;
  const trustedHops = trustedHopCounter(option, where);
  return (facts) => forwardedHttps(facts.forwardedProto, trustedHops(facts));
}
