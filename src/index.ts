/**
 * Tessera's framework-free core. Adapters live under `tessera-session/express`,
 * `tessera-session/fastify`...; stores under `tessera-session/redis` and `tessera-session/memory`.
 *
 * @module
 */

export type { SessionData } from "./core/session-data.js";

export { createSessionManager } from "./core/manager.js";
export type { LoadInput, RequestOutcome, SessionManager } from "./core/manager.js";
export type { Session, SessionDataOf, RequestFacts } from "./core/session.js";
export type { SessionKeyOperations } from "./core/session-key-operations.js";
export type { CookieOptions, SessionManagerOptions, ResolvedOptions, StoreOutagePolicy } from "./core/options.js";
export type { TokenTransport, ResolvedTransport, RequestHeaders } from "./core/transport.js";
export { SESSION_EXPIRES_HEADER, SESSION_TOKEN_HEADER } from "./core/transport.js";
export { tokenResponseHeaders, type ResponseHeader } from "./core/token-response.js";
export { DEFAULT_MAX_SESSIONS_PER_USER } from "./core/options.js";
export { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from "./core/user-sessions.js";
export type { Clock } from "./core/clock.js";
export { systemClock } from "./core/clock.js";
export {
  TesseraError,
  SessionConfigError,
  SessionStoreError,
  SessionDataError,
  SessionTooLargeError,
  SessionKeyError,
  SessionRetiredError,
  AtomicUpdateError,
} from "./core/errors.js";
export type { TesseraErrorCode, AtomicUpdateRefusal } from "./core/errors.js";
export { csrfToken, verifyCsrf, resolveCsrfOptions, isCsrfCheckedMethod, CsrfError } from "./core/csrf.js";
export type { CsrfOptions, ResolvedCsrfOptions, CsrfRequest, CsrfFailure } from "./core/csrf.js";
export type { DeviceInfo, UserSession, UserSessionPage } from "./core/user-sessions.js";
export {
  CREATED_AT_FIELD,
  USER_ID_FIELD,
  DEVICE_FIELD,
  LAST_SEEN_FIELD,
  LEASE_FIELD,
  CSRF_SECRET_FIELD,
  TOMBSTONE_FIELD,
  EXPIRY_FIELD,
  AUTHENTICATED_AT_FIELD,
  RETIRED_FIELD,
  FLASH_FIELD_PREFIX,
  SUMMARY_FIELDS,
} from "./core/record-fields.js";
export {
  INDEX_GRACE_MS,
  leaseEndFor,
  targetTtlMs,
  recordTtlMs,
  isRenewalDue,
  isCutDue,
  renewalOnLoad,
  sessionPolicy,
  withSessionExpiry,
  encodeSessionExpiry,
  decodeSessionExpiry,
  retiredCreatedAt,
} from "./core/expiry.js";
export type { SessionExpirySettings } from "./core/session-expiry.js";
export type { UpdateOptions } from "./core/atomic-update.js";
export type { SessionStore, StoredSession, SessionWrite, CreateWrite, UpdateWrite, WriteResult, UserIndexStore, IndexEntry, SessionSummary, RevokeResult, EntryRevokeResult, IndexRange, AtomicFieldStore, NoRecord, IncrementResult, CompareAndSetResult } from "./core/store.js";
export type { ExpiryPolicy, LoadRenewal, SessionExpiry } from "./core/expiry.js";
export type { LegacySessionSource, LegacyRecord, LegacyRead } from "./core/migration.js";
export { announcingSessionEnds, localSessionEnds } from "./core/session-ends.js";
export type { SessionEnd, SessionEndFeed, SessionEndListener, SessionEndReason, AnnouncedEndReason } from "./core/session-ends.js";
export type {
  SessionEventHooks,
  SessionEventHook,
  SessionEventMap,
  SessionEventName,
  SessionCreatedEvent,
  SessionRegeneratedEvent,
  SessionDestroyedEvent,
  SessionRevokedEvent,
  SessionExpiredEvent,
  RevokeCause,
  HookErrorHandler,
} from "./core/lifecycle-events.js";
export { METRIC } from "./core/telemetry.js";
export type {
  TelemetryOptions,
  TelemetryMeter,
  TelemetryTracer,
  TelemetrySpan,
  TelemetryCounter,
  TelemetryHistogram,
  TelemetryAttributes,
  TelemetryInstrumentOptions,
} from "./core/telemetry.js";
