import { html, route, seeOther } from "../../lib/login.js";

/** A POST with this session's CSRF token: a GET could be fired by any other site's link or image. */
export const POST = route(async (_request, session) => {
  await session.destroy();
  return seeOther("/");
});

/** No GET logout, ever. */
export const GET = () => html("Not Found", 404);
