import { index, route } from "@react-router/dev/routes";

// Every path goes to the benchmark resource route (`*` does not match `/`).
export default [index("routes/bench.js", { id: "index" }), route("*", "routes/bench.js", { id: "splat" })];
