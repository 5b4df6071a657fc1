// Tessera on plain node:http (tessera-session/node), against the API of issue 4.
import { nodeSession } from "tessera-session/node";
import { serveNode } from "./frameworks/node.js";
import { tesseraSessions } from "./shared/tessera.js";

const tessera = nodeSession(await tesseraSessions());
await serveNode({
  install: (app) =>
    app.use(async (ctx) => {
      ctx.session = await tessera.forRequest(ctx.req, ctx.res);
    }),
  data: (ctx) => ctx.session.data,
  login: (ctx) => ctx.session.regenerate(),
});
