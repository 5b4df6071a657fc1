// Anchor: express-session + connect-redis (node-redis client), with the
// options express-session's documentation recommends: resave: false,
// saveUninitialized: false. Login follows its documented
// regenerate-on-login pattern.
import session from "express-session";
import { RedisStore } from "connect-redis";
import { createClient } from "redis";
import { serveExpress } from "./frameworks/express.js";
import { IDLE_TIMEOUT_MS, PREFIX, REDIS_URL, SECRET } from "./shared/env.js";

const client = createClient({ url: REDIS_URL });
await client.connect();

await serveExpress({
  install: (app) =>
    app.use(
      session({
        store: new RedisStore({ client, prefix: PREFIX }),
        secret: SECRET,
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: IDLE_TIMEOUT_MS },
      }),
    ),
  data: (req) => req.session,
  login: (req) => new Promise((resolve, reject) => req.session.regenerate((error) => (error ? reject(error) : resolve()))),
});
