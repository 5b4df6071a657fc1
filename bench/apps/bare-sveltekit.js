// Bare SvelteKit (adapter-node's production build): the ceiling its adapter is compared with; the same build as tessera-sveltekit.js, with no session hook.
import { serveSvelteKit } from "./frameworks/sveltekit.js";
import { noSession } from "./shared/routes.js";

await serveSvelteKit(noSession);
