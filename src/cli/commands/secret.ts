import { randomBytes } from "node:crypto";
import type { CliContext } from "../context.js";

/** Bytes of randomness in a generated secret: 384 bits, well over the 32-byte minimum. */
const SECRET_BYTES = 48;

/**
 * `tessera-session secret`: prints a new random secret for the `secrets` option
 * (base64url, so it is safe in .env files and shell variables). Needs no Redis.
 *
 * @example
 * ```sh
 * echo "SESSION_SECRET=$(npx tessera-session secret)" >> .env
 * ```
 */
export function secretCommand(ctx: CliContext): void {
  const secret = randomBytes(SECRET_BYTES).toString("base64url");
  if (ctx.json) ctx.outJson({ secret });
  else ctx.out(secret);
}
