import { loginReady, tessera } from "../../lib/login.js";
import { resetVisits } from "./actions.js";

/** A server component: it reads the session (read-only: Next forbids setting cookies while rendering). */
export default async function AccountPage() {
  const options = await loginReady();
  const session = await tessera().getSession({ storeOutage: "anonymous" });
  return (
    <>
      <h1>Your account</h1>
      <p id="greeting">{session.data.username ? `Logged in as ${session.data.username}.` : "You are not logged in."}</p>
      <p>
        Visits this session: <span id="visits">{session.data.visits ?? 0}</span>
      </p>
      <form action={resetVisits}>
        <button type="submit" id="reset-visits">Reset the visit counter</button>
      </form>
      <p>
        Served by <span id="instance">{options.instance}</span> <span id="framework">{options.framework}</span>
      </p>
      <p>
        <a href="/">Home</a>
      </p>
    </>
  );
}

/** Rendered per request: the page reads the request's cookie. */
export const dynamic = "force-dynamic";
