// Preloaded into a benchmark app (`node --import ./bench/lib/alloc-sampler.mjs app.js`)
// by bench/alloc-per-request.ts: SIGUSR2 starts V8's sampling heap profiler,
// counting objects the collector has freed too (they are what a request
// costs the collector: short-lived garbage promoted with the request), and
// the next SIGUSR2 stops it and writes the bytes sampled, in total and by
// where they were allocated, to $BENCH_ALLOC_OUT.
import { writeFileSync } from "node:fs";
import inspector from "node:inspector/promises";
import process from "node:process";

const out = process.env.BENCH_ALLOC_OUT;
if (!out) throw new Error("alloc-sampler: BENCH_ALLOC_OUT is not set");
const session = new inspector.Session();
session.connect();
await session.post("HeapProfiler.enable");
let sampling = false;

/** `file:line` of a frame: `tessera:core/...` for the package, a package's own path, `bench/...`; "" for native code. */
function place(frame) {
  if (!frame.url) return "";
  let path = frame.url.replace(/^file:\/\//, "");
  for (const [marker, label] of [["/node_modules/", ""], ["/dist/", "tessera:"], ["/bench/", "bench/"]]) {
    const at = path.lastIndexOf(marker);
    if (at >= 0) {
      path = label + path.slice(at + marker.length);
      break;
    }
  }
  return `${path}:${frame.lineNumber + 1}`;
}

process.on("SIGUSR2", () => {
  void (async () => {
    if (!sampling) {
      sampling = true;
      await session.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      writeFileSync(out, JSON.stringify({ sampling: true }));
      return;
    }
    sampling = false;
    const { profile } = await session.post("HeapProfiler.stopSampling");
    let total = 0;
    const bySite = new Map();
    const walk = (node, owner) => {
      const here = place(node.callFrame);
      // Native frames (builtins) are charged to the JavaScript frame that called them.
      const site = here === "" ? owner : `${node.callFrame.functionName || "(anonymous)"} ${here}`;
      if (node.selfSize > 0) {
        total += node.selfSize;
        bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      }
      for (const child of node.children) walk(child, site);
    };
    walk(profile.head, "(native)");
    const sites = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 40);
    writeFileSync(out, JSON.stringify({ sampling: false, total, sites }));
  })();
});
