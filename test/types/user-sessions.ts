// The per-user session API, as the "Your sessions" page of an app uses it.
import express from "express";
import { createSessionManager, type UserSession } from "tessera-session";
import { expressSession } from "tessera-session/express";
import { memoryStore } from "tessera-session/memory";

const sessions = createSessionManager<{ username: string }>({ store: memoryStore(), maxSessionsPerUser: 5 });
const tessera = expressSession(sessions);
const app = express();
app.use(tessera);

app.post("/login", async (req, res) => {
  const session = tessera.session(req);
  await session.regenerate();
  await session.bindUser("42", { label: "Firefox", ip: req.ip, userAgent: req.get("user-agent") });
  // @ts-expect-error: user ids are strings (convert numeric ids with String())
  await session.bindUser(42);
  // @ts-expect-error: only label, ip and userAgent are kept
  await session.bindUser("42", { os: "macOS" });
  const userId: string | undefined = session.userId;
  void userId;
  res.redirect("/sessions");
});

app.get("/sessions", async (req, res) => {
  const session = tessera.session(req);
  if (session.userId === undefined) return res.redirect("/login");
  const list: UserSession[] = await sessions.listUserSessions(session.userId, { currentId: session.id });
  const rows = list.map((s) => ({ id: s.id, device: s.label ?? s.userAgent ?? "unknown", ip: s.ip, seen: new Date(s.lastSeenAt), thisDevice: s.current }));
  // @ts-expect-error: a listing never carries a token
  void list[0]?.token;
  res.json(rows);
});

app.post("/sessions/:id/revoke", async (req, res) => {
  const revoked: boolean = await sessions.revokeSession(req.params.id, { userId: tessera.session(req).userId });
  const others: string[] = await sessions.revokeUserSessions("42", { exceptId: tessera.session(req).id });
  res.json({ revoked, others });
});

// @ts-expect-error: the limit is a number
createSessionManager({ store: memoryStore(), maxSessionsPerUser: "5" });
