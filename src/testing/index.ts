/**
 * Test helpers: a fake clock and conformance suites any store (and later
 * any framework adapter) can run with `node:test`.
 *
 * @module
 */
export { fakeClock } from "./clock.js";
export type { FakeClock } from "./clock.js";
export { storeConformance } from "./store-conformance.js";
export type { StoreConformanceOptions } from "./store-conformance.js";
