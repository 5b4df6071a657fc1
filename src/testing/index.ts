/**
 * Test helpers: a fake clock and the conformance suites any store or
 * framework adapter can run with `node:test`, with the standard routes the
 * adapter suite's apps serve.
 *
 * @module
 */
export { fakeClock } from "./clock.js";
export type { FakeClock } from "./clock.js";
export { storeConformance } from "./store-conformance.js";
export type { StoreConformanceOptions } from "./store-conformance.js";
export { adapterConformance } from "./adapter-conformance.js";
export type { AdapterConformanceOptions, ConformanceRedis } from "./adapter-conformance.js";
export { conformanceRoutes, findConformanceRoute, createLatch } from "./conformance-routes.js";
export type { ConformanceData, ConformanceReply, ConformanceRequest, ConformanceRoute } from "./conformance-routes.js";
export { listenOnLoopback } from "./serve.js";
export type { ServedApp } from "./serve.js";
export { conformanceTransport, CONFORMANCE_COOKIE } from "./conformance-transport.js";
export type { ConformanceTransportView } from "./conformance-transport.js";
