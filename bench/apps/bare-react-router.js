// Bare React Router 7 (a production build, framework mode): the ceiling its adapter is compared with; the same build as tessera-react-router.js, with no session hook.
import { serveReactRouter } from "./frameworks/react-router.js";
import { noSession } from "./shared/routes.js";

await serveReactRouter(noSession);
