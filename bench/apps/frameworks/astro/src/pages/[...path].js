// Every benchmark route as one endpoint, answered by the bench host.
export const ALL = (context) => globalThis[Symbol.for("tessera.bench.host")].respond(context.request, context);
