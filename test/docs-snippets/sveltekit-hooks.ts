/**
 * Snippet context `sveltekit-hooks`: a SvelteKit project whose
 * src/hooks.server.ts imports `tessera-session/sveltekit`, which declares
 * `App.Locals.session` for every file of the project (a route's block
 * imports nothing of it itself).
 */
import type {} from "tessera-session/sveltekit";
