import { defineEventHandler, sendRedirect } from "h3";
import { checkedForm } from "../form.js";

// A POST, CSRF-checked like every POST: a GET could be fired by any other site.
export default defineEventHandler(async (event) => {
  await checkedForm(event);
  await event.context.session.destroy();
  return sendRedirect(event, "/", 303);
});
