/**
 * The conformance app's hook: the test process hands each server's manager
 * over on the Node request (test/support/sveltekit.ts), and this hook runs
 * the real `sveltekitSession` for it. A request that also carries a first
 * manager runs both managers' hooks, in `sequence()` as an app would.
 */
import type { Handle } from "@sveltejs/kit";
import { sequence } from "@sveltejs/kit/hooks";
import type { SessionManager } from "tessera-session";
import { sveltekitSession, type SvelteKitSessionHook } from "tessera-session/sveltekit";
import type { ConformanceData } from "tessera-session/testing";

type Manager = SessionManager<ConformanceData>;
type Hook = SvelteKitSessionHook<ConformanceData>;

const hooks = new WeakMap<Manager, Hook>();
const hookOf = (manager: Manager): Hook => {
  let hook = hooks.get(manager);
  if (hook === undefined) hooks.set(manager, (hook = sveltekitSession(manager, { trustProxy: "loopback" })));
  return hook;
};

export const handle: Handle = (input) => {
  const req = (input.event.platform as { req?: { tesseraManager?: Manager; tesseraFirstManager?: Manager } } | undefined)?.req;
  const manager = req?.tesseraManager;
  if (manager === undefined) throw new Error("conformance app: start it through test/support/sveltekit.ts, which hands over the manager");
  if (req?.tesseraFirstManager === undefined) return hookOf(manager)(input);
  const first = hookOf(req.tesseraFirstManager);
  const last = hookOf(manager);
  // The two-managers route reads each session through its hook's own accessor.
  (input.event.locals as { twoManagers?: { first: Hook; last: Hook } }).twoManagers = { first, last };
  return sequence(first, last)(input);
};
