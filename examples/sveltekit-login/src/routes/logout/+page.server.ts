import { error, redirect, type Actions, type ServerLoad } from "@sveltejs/kit";

/** No `GET /logout`: a link or an image on another site could fire it. */
export const load: ServerLoad = () => error(404, "Not found");

/** `POST /logout` (CSRF-checked in hooks.server.ts): the session is destroyed, its cookie cleared. */
export const actions: Actions = {
  default: async ({ locals }) => {
    await locals.session.destroy();
    redirect(303, "/");
  },
};
