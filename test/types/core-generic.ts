// Typing through a generic: no augmentation, the manager carries the type.
import express from "express";
import { createSessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { memoryStore } from "tessera-session/memory";

interface Shop {
  cart: string[];
  currency: "EUR" | "USD";
}

const sessions = createSessionManager<Shop>({ store: memoryStore() });
const tessera = expressSession(sessions);
const app = express();
app.use(tessera);

app.get("/", async (req, res) => {
  const session = tessera.session(req);
  session.data.cart = ["a"];
  session.data.currency = "EUR";
  // @ts-expect-error: not one of the allowed currencies
  session.data.currency = "GBP";
  // @ts-expect-error: not declared in Shop
  session.data.other = 1;
  await session.regenerate();
  await session.commit();
  res.json(session.data.cart ?? []);
});

// Without any declaration, data takes any key with unknown values.
const loose = createSessionManager({ store: memoryStore() });
void (async () => {
  const s = await loose.load({ cookieHeader: undefined, secure: false });
  s.data.anything = { nested: true };
  const value: unknown = s.data.anything;
  // @ts-expect-error: unknown values must be narrowed before use
  const n: number = s.data.count;
  void value;
  void n;
})();

// Options are checked at compile time too.
// @ts-expect-error: unknown option
createSessionManager({ store: memoryStore(), idleTimeout: 5 });
// @ts-expect-error: sameSite values are a fixed set
createSessionManager({ store: memoryStore(), cookie: { sameSite: "sometimes" } });
