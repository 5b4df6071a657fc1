// The SvelteKit login example: SvelteKit 2 on @sveltejs/adapter-node 5, built into build/ (git-ignored).
import adapter from "@sveltejs/adapter-node";

export default {
  kit: {
    adapter: adapter({ out: "build", precompress: false }),
    // SvelteKit's own check compares Origin with event.url, which adapter-node says is
    // https://<host> unless ORIGIN is set: behind the demo's balancer every plain-http
    // form post would be refused. sveltekitCsrf (src/hooks.server.ts) checks Origin and
    // Sec-Fetch-Site against the connection's real scheme, and a per-session token.
    csrf: { checkOrigin: false },
  },
};
