"""The session object Flask code sees: a dict (``session["username"] = ...``,
``session.pop(...)``) that remembers what it was loaded with, so a commit
writes only the keys that changed (format 1's delta commit)."""

import json
import time

from flask.sessions import SessionMixin

from . import csrf
from .format import (
    CREATED_AT_FIELD, CSRF_SECRET_FIELD, DEVICE_FIELD, LAST_SEEN_FIELD, LEASE_FIELD, RESERVED_FIELD_PREFIX,
    SEALED_PREFIX, USER_ID_FIELD, EncryptedSessionError, decode_value, encode_value,
)


class Policy:
    """Expiry policy in ms: idle and absolute timeouts (0 = none), renew interval. Must match the Node apps'."""

    def __init__(self, idle_timeout_seconds=1800, absolute_timeout_seconds=86400, renew_interval_seconds=None):
        self.idle_ms = int(idle_timeout_seconds * 1000)
        self.absolute_ms = int((absolute_timeout_seconds or 0) * 1000)
        if renew_interval_seconds is None:
            self.renew_interval_ms = min(self.idle_ms // 10, 60_000)
        else:
            self.renew_interval_ms = int(renew_interval_seconds * 1000)
        if self.idle_ms <= 0 or self.absolute_ms < 0 or self.renew_interval_ms < 0:
            raise ValueError("idle_timeout_seconds must be positive; absolute and renew interval not negative")

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
                 baseline=None, binding=None, csrf_secret=None):
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

    # Flask's SessionMixin flags; a commit compares values instead, so nested changes count too.
    modified = False
    accessed = True

    @property
    def id(self):
        """The session's public id (the store id), or None while it is new."""
        return self.session_id

    @classmethod
    def from_store(cls, store, session_id, token, fields, expires_at):
        data, baseline = {}, {}
        for field, text in fields.items():
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
            binding = (user_id, fields.get(DEVICE_FIELD) or json.dumps({"boundAt": int(fields[CREATED_AT_FIELD])}),
                       int(lease) if lease and lease.isdigit() else 0)
        secret = fields.get(CSRF_SECRET_FIELD)
        return cls(store, data, session_id=session_id, token=token, created_at=int(fields[CREATED_AT_FIELD]),
                   expires_at=expires_at, baseline=baseline, binding=binding,
                   csrf_secret=secret if csrf.is_secret(secret) else None)

    @property
    def user_id(self):
        """The user the session is bound to (by a Node app's bindUser), or None."""
        return self.binding[0] if self.binding else None

    def regenerate(self) -> None:
        """On login or privilege change: the next commit moves the data to a new token, atomically,
        and the old token stops working. Also rotates the CSRF secret (the login form's token dies)."""
        if self.csrf_secret is not None and not self.csrf_changed:
            self.csrf_secret, self.csrf_changed = csrf.generate_secret(), True
        if self.session_id is not None:
            self.replaces_id, self.session_id, self.token, self.baseline = self.session_id, None, None, {}

    def destroy(self) -> None:
        """Logout: deletes the stored session now (on every instance) and clears the cookie."""
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

    def _drop(self, clear=True) -> None:
        dict.clear(self)
        self.session_id = self.token = self.replaces_id = self.created_at = self.expires_at = None
        self.baseline, self.binding, self.csrf_secret, self.csrf_changed = {}, None, None, False
        self.cookie = ("clear",) if clear else None
