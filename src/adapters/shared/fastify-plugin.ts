const SKIP_OVERRIDE = Symbol.for("skip-override");
const DISPLAY_NAME = Symbol.for("fastify.display-name");

/**
 * Marks a Fastify plugin as the `fastify-plugin` package would:
 * `skip-override` keeps the plugin out of its own encapsulation context, so
 * its hooks and request decorations apply to every route of the context it
 * is registered in; the display name shows in Fastify's errors and plugin
 * tree. Setting the two symbols directly spares a dependency.
 *
 * @example
 * ```ts
 * return unencapsulatedPlugin(async (fastify) => fastify.addHook("onRequest", check), "tessera-csrf");
 * ```
 */
export function unencapsulatedPlugin<P extends object>(plugin: P, displayName: string): P {
  return Object.assign(plugin, { [SKIP_OVERRIDE]: true, [DISPLAY_NAME]: displayName });
}
