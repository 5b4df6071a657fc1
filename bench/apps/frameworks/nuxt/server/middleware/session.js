import { defineEventHandler } from "h3";

// The bench host's session middleware (h3Session), or none for bare Nuxt.
export default defineEventHandler((event) => globalThis[Symbol.for("tessera.bench.host")].middleware?.(event));
