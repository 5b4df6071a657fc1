import express, { type ErrorRequestHandler } from "express";
import type { SessionManager } from "tessera-session";
import { expressSession } from "tessera-session/express";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Values the routes can store on purpose, to test what cannot be stored faithfully. */
function badValue(kind: string): unknown {
  switch (kind) {
    case "function":
      return { nested: { fn: () => 1 } };
    case "cycle": {
      const a: Record<string, unknown> = { name: "a" };
      a.self = a;
      return a;
    }
    case "bigint":
      return 10n;
    case "undefined-in-array":
      return [1, undefined, 3];
    case "date":
      return new Date();
    case "map":
      return new Map([["a", 1]]);
    case "nan":
      return Number.NaN;
    case "huge":
      return "x".repeat(70 * 1024);
    default:
      throw new Error(`unknown bad value kind ${kind}`);
  }
}

/**
 * An Express app exercising every session operation through HTTP, for
 * integration tests. Errors answer JSON `{ code, key, message }` with the
 * error's `status` (503 for store errors) or 500.
 */
export function sessionTestApp(manager: SessionManager<Record<string, unknown>>): express.Express {
  const app = express();
  app.set("trust proxy", "loopback");
  app.use(express.urlencoded({ extended: false }));
  // Typed through the middleware, not the global SessionData: test files that
  // also load the examples see the examples' SessionData augmentation.
  const tessera = expressSession(manager);
  app.use(tessera);
  const session = (req: express.Request) => tessera.session(req);

  app.get("/untouched", (_req, res) => void res.send("ok"));
  app.get("/read", (req, res) => void res.json({ data: session(req).data, id: session(req).id ?? null }));
  app.get("/set", async (req, res) => {
    const { key, value, delayMs } = req.query as Record<string, string>;
    if (delayMs) await sleep(Number(delayMs));
    session(req).data[key!] = JSON.parse(value ?? "null");
    res.json({ ok: true });
  });
  app.get("/delete", (req, res) => {
    delete session(req).data[(req.query.key as string) ?? ""];
    res.json({ ok: true });
  });
  app.get("/push", (req, res) => {
    const cart = (session(req).data.cart ??= { items: [] }) as { items: string[] };
    cart.items.push(String(req.query.item));
    res.json({ ok: true });
  });
  app.get("/bad", (req, res) => {
    session(req).data[(req.query.key as string) ?? "bad"] = badValue(String(req.query.kind));
    res.json({ ok: true });
  });
  app.post("/login", async (req, res) => {
    await session(req).regenerate();
    session(req).data.username = (req.body as Record<string, string>).username;
    res.redirect(303, "/read");
  });
  app.get("/logout", async (req, res) => {
    await session(req).destroy();
    res.redirect(303, "/read");
  });
  app.get("/logout-with-flash", async (req, res) => {
    await session(req).destroy();
    session(req).data.flash = "bye";
    res.json({ ok: true });
  });
  app.get("/set-and-commit", async (req, res) => {
    session(req).data.committed = true;
    await session(req).commit();
    res.json({ ok: true });
  });
  app.get("/stream", async (req, res) => {
    session(req).data.streamed = true;
    await session(req).commit();
    res.write("part 1\n");
    await sleep(20);
    res.end("part 2\n");
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === "number" ? error.status : 500;
    res.status(status).json({ code: error?.code ?? null, key: error?.key ?? null, message: String(error?.message) });
  };
  app.use(onError);
  return app;
}
