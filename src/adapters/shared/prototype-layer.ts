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
   * prototype (a plain `node:http` response), `target`'s prototype is
   * swapped to the layer instead, once per object.
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
  // the layer to swap each object onto.
  const plans = new WeakMap<object, object | null>();

  const planFor = (first: object): object | null => {
    let child: object | undefined;
    for (let proto: object | null = first; proto !== null; child = proto, proto = Object.getPrototypeOf(proto) as object | null) {
      if (isLayer.has(proto)) return null;
      if (!isBase(proto)) continue;
      const layer = layerOn(proto);
      isLayer.add(layer);
      if (child === undefined) return layer;
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
      if (plan !== null) Object.setPrototypeOf(target, plan);
      return target;
    },
  };
}
