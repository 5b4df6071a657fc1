// What keeping per-request state beside an Express-style request costs, per
// request, in CPU time: a WeakMap entry (the key dies young, as a request
// does), a Map entry deleted when the request is done, an own property
// added after the prototype swap Express makes. Why the held responses and
// `req.session` live in Maps cleared on "close" (src/adapters/shared).
//
//   npx tsx bench/request-state-cost.ts
const N = 200_000;

class Res {
  a = 1;
  b = 2;
  c = 3;
  d: unknown[] = [];
  e: Record<string, unknown> = {};
  req: Req | undefined;
}
class Req {
  a = 1;
  b = 2;
  c = 3;
  d: unknown[] = [];
  e: Record<string, unknown> = {};
  res: Res | undefined;
}
const frameworkResponse = Object.create(Res.prototype, { send: { value() {} } }) as object;
const frameworkRequest = Object.create(Req.prototype, { get: { value() {} } }) as object;

/** A request/response pair as Express hands it over: prototypes swapped. */
function pair(): Res {
  const res = new Res();
  const req = new Req();
  res.req = req;
  req.res = res;
  Object.setPrototypeOf(res, frameworkResponse);
  Object.setPrototypeOf(req, frameworkRequest);
  return res;
}

const w1 = new WeakMap<object, object>();
const w2 = new WeakMap<object, object>();
const w3 = new WeakMap<object, object>();
const m1 = new Map<object, object>();
const m2 = new Map<object, object>();
const state = Symbol("state");

const cases: Record<string, (i: number) => number> = {
  "no state": () => pair().a,
  "three WeakMap entries": (i) => {
    const res = pair();
    const held = { res, i };
    w1.set(res, held);
    w2.set(res, held);
    w3.set(res.req!, held);
    return (w1.get(res) === w2.get(res) ? 1 : 0) & i;
  },
  "one WeakMap entry": (i) => {
    const res = pair();
    w1.set(res, { res, i });
    return w1.has(res) ? 1 : 0;
  },
  "two Map entries, deleted": (i) => {
    const res = pair();
    const held = { res, i };
    m1.set(res, held);
    m2.set(res.req!, held);
    const found = m1.get(res) === m2.get(res.req!) ? 1 : 0;
    m1.delete(res);
    m2.delete(res.req!);
    return found;
  },
  "own property after the swap": (i) => {
    const res = pair() as Res & { [state]?: object };
    res[state] = { res, i };
    return res[state] ? 1 : 0;
  },
};

for (let round = 1; round <= 3; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const start = process.cpuUsage();
    let sink = 0;
    for (let i = 0; i < N; i++) sink += run(i);
    const used = process.cpuUsage(start);
    console.log(`round ${round}  ${name.padEnd(30)} ${((used.user + used.system) / N).toFixed(2).padStart(6)} µs per request${sink < 0 ? "!" : ""}`);
  }
}
