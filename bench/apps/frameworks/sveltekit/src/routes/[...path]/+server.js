// Every benchmark route as one endpoint, answered by the bench host.
const answer = (event) => globalThis[Symbol.for("tessera.bench.host")].respond(event.request, event);

export const GET = answer;
export const POST = answer;
