/**
 * The conformance app's hook: the test process hands each server's manager
 * over on the Node request (test/support/sveltekit.ts), and this hook runs
 * the real `sveltekitSession` for it.
 */
import type { Handle } from "@sveltejs/kit";
import type { SessionManager } from "tessera-session";
import { sveltekitSession } from "tessera-session/sveltekit";
import type { ConformanceData } from "tessera-session/testing";

const handles = new WeakMap<SessionManager<ConformanceData>, Handle>();

export const handle: Handle = (input) => {
  const manager = (input.event.platform as { req?: { tesseraManager?: SessionManager<ConformanceData> } } | undefined)?.req?.tesseraManager;
  if (manager === undefined) throw new Error("conformance app: start it through test/support/sveltekit.ts, which hands over the manager");
  let handle = handles.get(manager);
  if (handle === undefined) handles.set(manager, (handle = sveltekitSession(manager, { trustProxy: "loopback" })));
  return handle(input);
};
