// The SvelteKit benchmark app: SvelteKit 2 on @sveltejs/adapter-node, production build in build/.
import adapter from "@sveltejs/adapter-node";

export default { kit: { adapter: adapter({ out: "build", precompress: false }) } };
