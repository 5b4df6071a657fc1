import { memoryStore } from "tessera-session/memory";
import { fakeClock, storeConformance } from "tessera-session/testing";

const clock = fakeClock();

storeConformance({
  name: "memoryStore (fake clock)",
  createStore: () => memoryStore(),
  now: () => clock.now(),
  advance: async (ms) => clock.advance(ms),
});
