"""The session object Flask code sees: a dict (``session["username"] = ...``,
``session.pop(...)``) that remembers what it was loaded with, so a commit
writes only the keys that changed (format 1's delta commit)."""

import copy
import json
import time

from flask.sessions import SessionMixin

from . import csrf
from .format import (
    AUTHENTICATED_AT_FIELD, CREATED_AT_FIELD, CSRF_SECRET_FIELD, DEVICE_FIELD, EXPIRY_FIELD, FLASH_FIELD_PREFIX, LAST_SEEN_FIELD,
    LEASE_FIELD, RESERVED_FIELD_PREFIX, RETIRED_FIELD, SEALED_PREFIX, USER_ID_FIELD, EncryptedSessionError,
    SessionRetiredError, decode_session_expiry, decode_value, encode_value,
)


class Policy:
    """Expiry policy in ms: idle and absolute timeouts (0 = none), renew interval, and the caps of a session's
    own expiry (a Node app's session.setExpiry: maxIdleTimeoutSeconds, maxAbsoluteTimeoutSeconds, defaulting
    as there to the idle and absolute timeouts; max absolute False: a session may have none). Must match the
    Node apps'."""

    def __init__(self, idle_timeout_seconds=1800, absolute_timeout_seconds=86400, renew_interval_seconds=None,
                 max_idle_timeout_seconds=None, max_absolute_timeout_seconds=None):
        self.idle_ms = int(idle_timeout_seconds * 1000)
        self.absolute_ms = int((absolute_timeout_seconds or 0) * 1000)
        self.max_idle_ms = self.idle_ms if max_idle_timeout_seconds is None else int(max_idle_timeout_seconds * 1000)
        if max_absolute_timeout_seconds is None:
            self.max_absolute_ms = self.absolute_ms
        else:
            self.max_absolute_ms = 0 if max_absolute_timeout_seconds is False else int(max_absolute_timeout_seconds * 1000)
        if renew_interval_seconds is None:
            self.renew_interval_ms = min(self.idle_ms // 10, 60_000)
        else:
            self.renew_interval_ms = int(renew_interval_seconds * 1000)
        if self.idle_ms <= 0 or self.absolute_ms < 0 or self.renew_interval_ms < 0:
            raise ValueError("idle_timeout_seconds must be positive; absolute and renew interval not negative")
        if self.max_idle_ms < self.idle_ms or (self.max_absolute_ms > 0 and not 0 < self.absolute_ms <= self.max_absolute_ms):
            raise ValueError("max_idle/max_absolute_timeout_seconds must not be shorter than idle/absolute_timeout_seconds")

    def for_session(self, expiry):
        """The policy of one session: its own timeouts (decode_session_expiry's triple, or None for this
        policy) in place of the idle and absolute ones, each cut to the maximum (withSessionExpiry)."""
        if expiry is None:
            return self
        idle, absolute, _ = expiry
        policy = copy.copy(self)
        policy.idle_ms = min(idle, self.max_idle_ms)
        if self.max_absolute_ms > 0 and (absolute <= 0 or absolute > self.max_absolute_ms):
            absolute = self.max_absolute_ms
        policy.absolute_ms = absolute
        return policy

    def target_ttl_ms(self, created_at: int, now: int) -> int:
        if self.absolute_ms <= 0:
            return self.idle_ms
        return min(self.idle_ms, created_at + self.absolute_ms - now)

    def lease_end(self, created_at: int, now: int) -> int:
        wanted = now + 2 * self.idle_ms
        return min(wanted, created_at + self.absolute_ms) if self.absolute_ms > 0 else wanted

    def lease_due(self, lease_end: int, created_at: int, now: int) -> bool:
        return lease_end - now < self.idle_ms and self.lease_end(created_at, now) > lease_end


def now_ms() -> int:
    return int(time.time() * 1000)


class TesseraSession(dict, SessionMixin):
    """A Tessera session as Flask's ``session``.

    Example::

        session.regenerate()          # on login: a new token, the data moves along
        session["username"] = name
        session.destroy()             # on logout: gone on every instance
    """

    def __init__(self, store, data=None, *, session_id=None, token=None, created_at=None, expires_at=None,
                 baseline=None, binding=None, csrf_secret=None, expiry_text=None, authenticated_at=None,
                 read_only=False, flashes=None):
        super().__init__(data or {})
        self.store = store
        self.session_id = session_id
        self.token = token
        self.created_at = created_at
        self.expires_at = expires_at
        self.baseline = baseline or {}
        self.binding = binding  # (user_id, device text, lease end) of a bound session
        self.csrf_secret = csrf_secret
        self.csrf_changed = False
        self.replaces_id = None
        self.cookie = None  # ("set", token, expires_at, issued_at) or ("clear",)
        self.request_token = token
        self.new = session_id is None
        self.expiry_text = expiry_text  # a Node app's session.setExpiry (EXPIRY_FIELD), kept as it is
        self.authenticated_at = authenticated_at  # AUTHENTICATED_AT_FIELD: the last login, for Node's step-up checks
        self.authenticated_now = False  # regenerate() is a login: the next create records it
        # A Node regenerate's retired copy (grace window): readable, never written, and the cookie left alone.
        self.read_only = read_only
        # A Node app's untaken flash messages (FLASH_FIELD_PREFIX fields), as stored: never data, never
        # written by an update, and carried to the new record by a regenerate as a Node one does.
        self.flashes = flashes or {}

    # Flask's SessionMixin flags; a commit compares values instead, so nested changes count too.
    modified = False
    accessed = True

    @property
    def id(self):
        """The session's public id (the store id), or None while it is new."""
        return self.session_id

    @property
    def expiry(self):
        """The session's own (idle ms, absolute ms, persistent), or None for the manager's timeouts."""
        return decode_session_expiry(self.expiry_text)

    @classmethod
    def from_store(cls, store, session_id, token, fields, expires_at):
        data, baseline = {}, {}
        created_at = int(fields[CREATED_AT_FIELD] if CREATED_AT_FIELD in fields else fields[RETIRED_FIELD])
        flashes = {}
        for field, text in fields.items():
            if field.startswith(FLASH_FIELD_PREFIX) and not text.startswith(SEALED_PREFIX):
                flashes[field] = text  # a sealed one is bound to this token's key: a regenerate cannot carry it
            if field.startswith(RESERVED_FIELD_PREFIX):
                continue
            if text.startswith(SEALED_PREFIX):
                raise EncryptedSessionError(
                    f"Session field {field!r} is sealed by the Node option encryptData, which tessera_session for Python "
                    "does not support: turn encryptData off for apps that share sessions with Flask. The session is left as it is.")
            try:
                value = decode_value(text)
                baseline[field] = encode_value(field, value)
            except ValueError:
                continue  # a corrupt field is skipped and left in the store, as the Node reader does
            data[field] = value
        user_id = fields.get(USER_ID_FIELD)
        binding = None
        if user_id is not None:
            lease = fields.get(LEASE_FIELD)
            binding = (user_id, fields.get(DEVICE_FIELD) or json.dumps({"boundAt": created_at}),
                       int(lease) if lease and lease.isdigit() else 0)
        secret = fields.get(CSRF_SECRET_FIELD)
        authenticated_at = fields.get(AUTHENTICATED_AT_FIELD)
        return cls(store, data, session_id=session_id, token=token, created_at=created_at,
                   expires_at=expires_at, baseline=baseline, binding=binding,
                   csrf_secret=secret if csrf.is_secret(secret) else None, expiry_text=fields.get(EXPIRY_FIELD),
                   authenticated_at=int(authenticated_at) if authenticated_at and authenticated_at.isdigit() else None,
                   read_only=CREATED_AT_FIELD not in fields, flashes=flashes)

    @property
    def user_id(self):
        """The user the session is bound to (by a Node app's bindUser), or None."""
        return self.binding[0] if self.binding else None

    def regenerate(self) -> None:
        """On login or privilege change: the next commit moves the data to a new token, atomically,
        and the old token stops working. Also rotates the CSRF secret (the login form's token dies), and
        records the login (AUTHENTICATED_AT_FIELD). Raises SessionRetiredError on a retired token."""
        self._refuse_if_read_only("regenerate the session")
        self.authenticated_now = True
        if self.csrf_secret is not None and not self.csrf_changed:
            self.csrf_secret, self.csrf_changed = csrf.generate_secret(), True
        if self.session_id is not None:
            self.replaces_id, self.session_id, self.token, self.baseline = self.session_id, None, None, {}

    def destroy(self) -> None:
        """Logout: deletes the stored session now (on every instance) and clears the cookie.
        Raises SessionRetiredError on a retired token (its logout would clear the new token's cookie)."""
        self._refuse_if_read_only("destroy the session")
        user_id = self.user_id
        for session_id in (self.session_id, self.replaces_id):
            if session_id is not None:
                self.store.destroy(session_id)
                if user_id is not None:
                    self.store.index_remove(user_id, session_id)
                self.store.announce("destroyed", session_id)
        self._drop(clear=self.request_token is not None)

    def csrf_token(self) -> str:
        """A masked CSRF token for a form (creating the session's secret, and so storing it, when needed)."""
        if self.csrf_secret is None:
            self.csrf_secret, self.csrf_changed = csrf.generate_secret(), True
        return csrf.mask(self.csrf_secret)

    def _refuse_if_read_only(self, action: str) -> None:
        if self.read_only:
            raise SessionRetiredError(f"Cannot {action}: this request carries a session token that was just rotated "
                                      "(the regenerate grace window), so its session is read-only. Retry with the new token.")

    def _drop(self, clear=True) -> None:
        dict.clear(self)
        self.session_id = self.token = self.replaces_id = self.created_at = self.expires_at = None
        self.baseline, self.binding, self.csrf_secret, self.csrf_changed = {}, None, None, False
        self.expiry_text = self.authenticated_at = None
        self.authenticated_now = False
        self.flashes = {}
        self.cookie = ("clear",) if clear else None
