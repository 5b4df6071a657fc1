// Bare node:http: the ceiling the node:http adapter is compared with.
import { serveNode } from "./frameworks/node.js";
import { noSession } from "./shared/routes.js";

await serveNode(noSession);
