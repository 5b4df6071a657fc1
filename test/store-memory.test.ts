import { memoryStore } from "tessera/memory";
import { fakeClock, storeConformance } from "tessera/testing";

const clock = fakeClock();

storeConformance({
  name: "memoryStore (fake clock)",
  createStore: () => memoryStore(),
  now: () => clock.now(),
  advance: async (ms) => clock.advance(ms),
});
