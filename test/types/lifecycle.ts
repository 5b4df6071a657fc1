import { metrics, trace } from "@opentelemetry/api";
import { createSessionManager, type RevokeCause, type SessionEventHooks } from "tessera-session";
import { memoryStore } from "tessera-session/memory";

// Each hook gets its own event's payload.
const hooks: SessionEventHooks = {
  created: (event) => {
    const userId: string | undefined = event.userId;
    // @ts-expect-error a created session replaced nothing
    void event.previousId;
    void userId;
  },
  regenerated: (event) => {
    const previous: string = event.previousId;
    void previous;
  },
  revoked: async (event) => {
    const cause: RevokeCause = event.cause;
    // @ts-expect-error not a cause
    const wrong: typeof event.cause = "operator";
    void [cause, wrong];
  },
  expired: (event) => {
    const seenBy: "request" | "index" = event.seenBy;
    void seenBy;
  },
};
createSessionManager({ store: memoryStore(), on: hooks, onHookError: (error, { event }) => console.error(event, error) });
// @ts-expect-error no such event
createSessionManager({ store: memoryStore(), on: { loggedOut: () => undefined } });

// The real OpenTelemetry Meter and Tracer fit the telemetry option.
createSessionManager({ store: memoryStore(), telemetry: { meter: metrics.getMeter("tessera-session"), tracer: trace.getTracer("tessera-session"), recordSessionIds: true } });
// @ts-expect-error a meter, not a meter provider
createSessionManager({ store: memoryStore(), telemetry: { meter: metrics.getMeterProvider() } });
