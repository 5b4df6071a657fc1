import { redirect, type ActionFunctionArgs } from "react-router";
import { sessionContext } from "tessera-session/react-router";
import { checkedForm } from "../respond.js";

// A POST, CSRF-checked like every POST: a GET could be fired by any other site.
export async function action({ request, context }: ActionFunctionArgs) {
  const session = context.get(sessionContext);
  const form = await checkedForm(request, session);
  if (form instanceof Response) return form;
  await session.destroy();
  return redirect("/", 303);
}
