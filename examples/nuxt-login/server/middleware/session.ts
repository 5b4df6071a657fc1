import { h3Session } from "tessera-session/h3";
import { loginOptions, trustProxy } from "../../../shared/env-login-options.js";

// event.context.session on every request, committed when the response ends.
export default h3Session(loginOptions.sessions, { trustProxy });
