// App-wide typing through module augmentation: declare SessionData once and
// every handler's req.session.data is typed.
import express from "express";
import { createSessionManager, type Session } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { memoryStore } from "tessera-session/memory";

declare module "tessera-session" {
  interface SessionData {
    username: string;
    cart: { sku: string; qty: number }[];
  }
}

const sessions = createSessionManager({ store: memoryStore() });
const app = express();
app.use(expressSession(sessions));

app.get("/", (req, res) => {
  const name: string | undefined = req.session.data.username;
  req.session.data.cart = [{ sku: "a", qty: 1 }];
  req.session.data.cart?.push({ sku: "b", qty: 2 });
  // @ts-expect-error: a declared key keeps its type
  req.session.data.username = 42;
  // @ts-expect-error: undeclared keys are rejected once SessionData is declared
  req.session.data.usernme = "typo";
  // @ts-expect-error: every key is optional, a new session is empty
  const sure: string = req.session.data.username;
  res.send(`${name} ${sure}`);
});

// The manager defaults to the augmented SessionData.
const session = {} as Session<import("tessera-session").SessionData>;
const qty: number | undefined = session.data.cart?.[0]?.qty;
void qty;
