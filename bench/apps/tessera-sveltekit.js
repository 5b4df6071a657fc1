// Tessera on SvelteKit (tessera-session/sveltekit's `sveltekitSession` as the `handle` hook).
import { sveltekitSession } from "tessera-session/sveltekit";
import { serveSvelteKit } from "./frameworks/sveltekit.js";
import { tesseraSessions } from "./shared/tessera.js";

const sessions = await tesseraSessions();
await serveSvelteKit({
  install: () => sveltekitSession(sessions),
  data: (event) => event.locals.session.data,
  login: (event) => event.locals.session.regenerate(),
});
