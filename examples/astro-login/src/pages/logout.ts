import type { APIRoute } from "astro";

/**
 * `POST /logout` (CSRF-checked in the middleware): the session is destroyed,
 * its cookie cleared. No GET: a link or an image on another site could fire it.
 */
export const POST: APIRoute = async ({ locals, redirect }) => {
  await locals.session.destroy();
  return redirect("/", 303);
};
