// What ioredis's reply decoder costs per HGETALL reply, natively, by the
// number of fields: the floor's record has one field (the data), Tessera's
// three (`@c` and `@a` beside it). ioredis 6 ships its RESP decoder compiled
// with class private fields turned into WeakMap lookups, which
// makes each bulk string cost far more than the bytes it holds; this
// measures that part of a read's app CPU on its own, outside any app.
//
//   npx tsx bench/ioredis-decoder.ts [--replies=1000000] [--rounds=3]
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { median } from "./lib/stats.js";

const { values } = parseArgs({ options: { replies: { type: "string", default: "1000000" }, rounds: { type: "string", default: "3" } } });
const replies = Number(values.replies);
const rounds = Number(values.rounds);
if (!Number.isInteger(replies) || replies < 10_000 || replies > 10_000_000) throw new Error("--replies: 10000 to 10000000");
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error("--rounds: 1 to 20");

// Not part of ioredis's public API: the module its connections decode replies with.
const require = createRequire(import.meta.url);
const { Decoder } = require("ioredis/built/resp/decoder.js") as {
  Decoder: new (config: { onReply(reply: unknown): void; onErrorReply(error: unknown): void; onPush(push: unknown): void; getTypeMapping(): object }) => {
    write(chunk: Buffer): void;
  };
};
const { version } = require("ioredis/package.json") as { version: string };

/** An HGETALL reply as Redis sends it to a RESP3 client (ioredis 6's default protocol): a map of bulk strings. */
function hashReply(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  let text = `%${fields.length}\r\n`;
  for (const [field, value] of fields) text += `$${Buffer.byteLength(field)}\r\n${field}\r\n$${Buffer.byteLength(value)}\r\n${value}\r\n`;
  return Buffer.from(text);
}

// The bench apps' record: the user their login stores (USER in bench/apps/shared/routes.js).
const user = JSON.stringify({ id: 1234, name: "ada" });
const now = String(Date.now());
const shapes = [
  { name: "floor: 1 field (the data)", reply: hashReply([["user", user]]) },
  { name: "Tessera: 3 fields (@c, @a, the data)", reply: hashReply([["@c", now], ["@a", now], ["user", user]]) },
];

let decoded = 0;
const decoder = new Decoder({ onReply: () => void decoded++, onErrorReply: () => undefined, onPush: () => undefined, getTypeMapping: () => ({}) });
const perReply: number[][] = shapes.map(() => []);
for (let round = 0; round < rounds; round++) {
  shapes.forEach(({ reply }, i) => {
    for (let n = 0; n < replies / 5; n++) decoder.write(reply); // warm-up of this shape
    const start = process.hrtime.bigint();
    for (let n = 0; n < replies; n++) decoder.write(reply);
    perReply[i]!.push(Number(process.hrtime.bigint() - start) / replies);
  });
}
if (decoded !== rounds * shapes.length * (replies + Math.ceil(replies / 5))) throw new Error(`decoded ${decoded} replies, not every one written`);

console.log(`ioredis ${version} reply decoder, ${replies} replies per shape and round, ${rounds} rounds, ns per reply (median, then every round):`);
shapes.forEach(({ name }, i) => console.log(`  ${name}: ${median(perReply[i]!).toFixed(0)} (${perReply[i]!.map((ns) => ns.toFixed(0)).join(", ")})`));
console.log(`  two more fields: +${(median(perReply[1]!) - median(perReply[0]!)).toFixed(0)} ns per reply`);
