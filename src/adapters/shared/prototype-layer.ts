/**
 * Where one object's methods or accessors come from once a
 * {@link prototypeLayer} is in its prototype chain.
 */
export interface PrototypeLayer {
  /**
   * Puts the layer's members into `target`'s prototype chain, if they are
   * not there already, and returns `target`.
   *
   * Express swaps its own prototype onto every `req` and `res`, and a
   * mounted sub-app swaps in its own one and back; after that swap, V8
   * gives every new own property on the object a slow, unshared shape (about
   * 2.5 µs each). So the layer's members go under the framework's
   * prototypes, once per chain: onto the prototype just above the first
   * object the `isBase` test picks (the one that defines what the layer
   * wraps), where every later swap of a framework prototype still sees
   * them. They are defined there, not put in as one more prototype: every
   * property lookup on the request or response that misses V8's caches (on
   * Express, a hundred or so per request, most of them Express's and
   * node's own) walks the chain, and one more link in it cost about 5,000
   * instructions per Express request (measured). When that base is
   * `target`'s own prototype (a plain `node:http` response), the layer's
   * members become `target`'s own properties instead, the same functions
   * on every object: swapping the prototype of an object that never had
   * its prototype swapped gave each one a shape of its own, and every
   * property access in node's http code then missed its caches (164k
   * instructions more per plain node:http request, measured). Methods are
   * assigned (so they are enumerable, as a response's own fields are);
   * accessors are defined.
   */
  insertInto<T extends object>(target: T): T;
}

/**
 * A cached layer per base prototype, built by `makeLayer(base)` (an
 * `Object.create(base, ...)` whose members pass through to `base` for
 * objects they have no state for).
 *
 * @example
 * ```ts
 * const sessionLayer = prototypeLayer((proto) => proto === IncomingMessage.prototype, (base) => Object.create(base, accessors));
 * sessionLayer.insertInto(req);
 * ```
 */
export function prototypeLayer(isBase: (proto: object) => boolean, makeLayer: (base: object) => object): PrototypeLayer {
  const layers = new WeakMap<object, object>();
  const layerOn = (base: object): object => {
    let layer = layers.get(base);
    if (layer === undefined) layers.set(base, (layer = makeLayer(base)));
    return layer;
  };
  /** The prototypes that were given a layer's members. */
  const carriers = new WeakSet<object>();
  // Per first prototype seen: null when its chain carries the members,
  // else the layer's members to give each object as its own.
  const plans = new WeakMap<object, OwnMembers | null>();

  const planFor = (first: object): OwnMembers | null => {
    let child: object | undefined;
    for (let proto: object | null = first; proto !== null; child = proto, proto = Object.getPrototypeOf(proto) as object | null) {
      if (carriers.has(proto)) return null;
      if (!isBase(proto)) continue;
      const layer = layerOn(proto);
      if (child === undefined) return ownMembersOf(layer);
      copyMembers(layer, child);
      carriers.add(child);
      return null;
    }
    throw new TypeError("prototypeLayer: no base prototype in the object's chain");
  };

  return {
    insertInto(target) {
      const first = Object.getPrototypeOf(target) as object;
      let plan = plans.get(first);
      if (plan === undefined) plans.set(first, (plan = planFor(first)));
      if (plan !== null) giveOwnMembers(target, plan);
      return target;
    },
  };
}

/** A layer's own members: methods to assign, accessors to define. */
interface OwnMembers {
  readonly methods: ReadonlyArray<readonly [PropertyKey, unknown]>;
  readonly accessors: ReadonlyArray<readonly [PropertyKey, PropertyDescriptor]>;
}

function ownMembersOf(layer: object): OwnMembers {
  const methods: Array<[PropertyKey, unknown]> = [];
  const accessors: Array<[PropertyKey, PropertyDescriptor]> = [];
  for (const key of Reflect.ownKeys(layer)) {
    const descriptor = Object.getOwnPropertyDescriptor(layer, key)!;
    if ("value" in descriptor) methods.push([key, descriptor.value]);
    else accessors.push([key, descriptor]);
  }
  return { methods, accessors };
}

/** Copies the layer's members onto a prototype as the layer defines them (its methods, like a prototype's, not enumerable). */
function copyMembers(layer: object, prototype: object): void {
  Object.defineProperties(prototype, Object.getOwnPropertyDescriptors(layer));
}

function giveOwnMembers(target: object, { methods, accessors }: OwnMembers): void {
  const own = target as Record<PropertyKey, unknown>;
  for (const [key, value] of methods) own[key] = value;
  for (const [key, descriptor] of accessors) Object.defineProperty(target, key, descriptor);
}
