// The "yours: see below" helper of docs/frameworks.md's adapter test: here, the repository's own.
export { startRedisServer } from "../../../../support/redis-server.js";
