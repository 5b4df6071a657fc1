/**
 * The reserved fields of a session record: the part of the Redis layout
 * that the core, the stores, their Lua scripts and the CLI all name. Data
 * fields never start with `@` (see `RESERVED_FIELD_PREFIX`), so these never
 * collide with an app's keys. The layout is a contract: change it only with a migration.
 */

/** Reserved field: creation time, epoch ms, as decimal text. */
export const CREATED_AT_FIELD = "@c";
/** Reserved field: the user id a session is bound to (`session.bindUser`). */
export const USER_ID_FIELD = "@u";
/** Reserved field: the device facts given at bind time, as JSON (label, ip, user agent, bound-at). */
export const DEVICE_FIELD = "@m";
/** Reserved field: last time a bound session was renewed or written, epoch ms. */
export const LAST_SEEN_FIELD = "@s";
/**
 * Reserved field: a bound session's index lease, epoch ms. It equals the
 * score of the session's entry in its user's index, and a store never
 * renews the session past it, so a live session always has a live index
 * entry: listing and revoking by user cannot miss it.
 */
export const LEASE_FIELD = "@l";
/**
 * Reserved field: the session's CSRF secret (32 random bytes, base64url),
 * from which every page's synchronizer token is masked. Written only when
 * it is created (the first `csrfToken(session)`) or rotated (`regenerate()`),
 * so requests that do not create it pay nothing. Never in listings.
 */
export const CSRF_SECRET_FIELD = "@x";
/**
 * Reserved field: marks a tombstone, the record "log out everywhere" leaves
 * under an id that its user's index lists but whose session does not exist
 * (yet). A tombstone has no {@link CREATED_AT_FIELD}, so it never loads as a
 * session, and a create of its id is refused with `"revoked"`: a login or
 * regenerate caught between its index write and its session write cannot
 * come alive after the revoke. It expires with the index entry's lease.
 */
export const TOMBSTONE_FIELD = "@r";
/**
 * Reserved field: the session's own expiry (`session.setExpiry`), as
 * `"<idle ms>,<absolute ms>,<persistent 1|0>"` (absolute 0: none), in place
 * of the manager's timeouts; absent on a session that keeps them. Stores
 * read it in the same step as the record (see `sessionPolicy` in
 * expiry.ts and the Lua `renewOnLoad`), capped by the manager's maximums.
 */
export const EXPIRY_FIELD = "@e";
/**
 * Reserved field: when the user last really authenticated (a login's
 * `regenerate()` or `bindUser()`, or `session.markAuthenticated()`), epoch
 * ms: what `session.authenticatedWithin(seconds)` reads for step-up checks.
 */
export const AUTHENTICATED_AT_FIELD = "@a";
/**
 * Reserved field: marks a retired record, the read-only copy a regenerate
 * with a grace window (`regenerateGraceSeconds`) leaves under the old id
 * for a few seconds. It holds the creation time in place of
 * {@link CREATED_AT_FIELD}, so every script that needs a record (updates,
 * regenerates, renewals, listings, revokes) refuses it as it refuses a
 * missing one, while a load hands it over, marked, for reading only.
 */
export const RETIRED_FIELD = "@g";
/**
 * Reserved field family: a flash message (`session.flash(key, value)`),
 * one field per key, `@f:<key>`, holding the value's JSON text (sealed
 * like a data field when `encryptData` is on). Written with the request's
 * other changes at commit; read once by `session.takeFlash(key)`, which
 * reads and deletes the field in one atomic step (lua/take-fields.lua), so
 * of two concurrent requests only one gets it. Never in `session.data`
 * nor in listings (data decoding skips every `@` field; listings read only
 * {@link SUMMARY_FIELDS}); a regenerate carries the untaken ones over.
 */
export const FLASH_FIELD_PREFIX = "@f:";
/** The reserved fields a listing reads (never the data fields). */
export const SUMMARY_FIELDS: readonly string[] = [CREATED_AT_FIELD, USER_ID_FIELD, DEVICE_FIELD, LAST_SEEN_FIELD, LEASE_FIELD, EXPIRY_FIELD, AUTHENTICATED_AT_FIELD];
