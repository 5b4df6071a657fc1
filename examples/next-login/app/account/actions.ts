"use server";
import { redirect } from "next/navigation.js";
import { loginReady, tessera } from "../../lib/login.js";

/**
 * A server action: resets the visit counter and redirects. `tessera().action`
 * commits the session through `cookies()` before the `redirect()` reaches
 * the browser, so /account already shows the new count. Next checks a
 * server action's Origin against the Host itself.
 */
export async function resetVisits(): Promise<void> {
  await loginReady();
  await tessera().action(async (session) => {
    session.data.visits = 0;
    redirect("/account");
  })();
}
