// Every benchmark route as a resource route, answered by the bench host.
const answer = ({ request, context }) => globalThis[Symbol.for("tessera.bench.host")].respond(request, context);

export const loader = answer;
export const action = answer;
