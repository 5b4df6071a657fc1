/**
 * Where one object's methods or accessors come from once a
 * {@link prototypeLayer} is in its prototype chain.
 */
export interface PrototypeLayer {
  /**
   * Puts the layer into `target`'s prototype chain, if it is not there
   * already, and returns `target`.
   *
   * Express swaps its own prototype onto every `req` and `res`, and a
   * mounted sub-app swaps in its own one and back; after that swap, V8
   * gives every new own property on the object a slow, unshared shape (about
   * 2.5 µs each). So the layer goes under the framework's prototypes, once
   * per chain: just above the first object the `isBase` test picks (the one
   * that defines what the layer wraps), where every later swap of a
   * framework prototype still sees it. When that base is `target`'s own
   * prototype (a plain `node:http` response), the layer's members become
   * `target`'s own properties instead, the same functions on every object:
   * swapping the prototype of an object that never had its prototype
   * swapped gave each one a shape of its own, and every property access in
   * node's http code then missed its caches (164k instructions more per
   * plain node:http request, measured). Methods are assigned (so they are
   * enumerable, as a response's own fields are); accessors are defined.
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
  const isLayer = new WeakSet<object>();
  // Per first prototype seen: null when its chain holds the layer, else
  // the layer's members to give each object as its own.
  const plans = new WeakMap<object, OwnMembers | null>();

  const planFor = (first: object): OwnMembers | null => {
    let child: object | undefined;
    for (let proto: object | null = first; proto !== null; child = proto, proto = Object.getPrototypeOf(proto) as object | null) {
      if (isLayer.has(proto)) return null;
      if (!isBase(proto)) continue;
      const layer = layerOn(proto);
      isLayer.add(layer);
      if (child === undefined) return ownMembersOf(layer);
      Object.setPrototypeOf(child, layer);
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

function giveOwnMembers(target: object, { methods, accessors }: OwnMembers): void {
  const own = target as Record<PropertyKey, unknown>;
  for (const [key, value] of methods) own[key] = value;
  for (const [key, descriptor] of accessors) Object.defineProperty(target, key, descriptor);
}
