// The bench host's session hook (sveltekitSession), or none for bare SvelteKit.
export const handle = (input) => {
  const hook = globalThis[Symbol.for("tessera.bench.host")].middleware;
  return hook ? hook(input) : input.resolve(input.event);
};
