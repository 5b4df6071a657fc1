"""Flask's SessionInterface over format 1: one LOAD script call to read, a
delta commit through the WRITE script, no resurrection, regenerate on login,
idle and absolute timeouts, the Node apps' secrets and cookie."""

import math
from email.utils import formatdate

from flask import abort, request as current_request
from flask.sessions import SessionInterface

from . import csrf
from .format import (
    AUTHENTICATED_AT_FIELD, CREATED_AT_FIELD, CSRF_SECRET_FIELD, DEVICE_FIELD, EXPIRY_FIELD, LAST_SEEN_FIELD,
    LEASE_FIELD, USER_ID_FIELD,
    SessionDataError, assert_usable_key, decode_cookie_value, encode_cookie_value, encode_value, generate_token,
    session_id_from_token,
)
from .session import Policy, TesseraSession, now_ms
from .store import RedisSessionStore

MIN_SECRET_BYTES = 32
# Cookies of the session's name tried per request, like MAX_SESSION_COOKIES in src/core/cookie.ts.
MAX_SESSION_COOKIES = 4


class TesseraSessionInterface(SessionInterface):
    """Sessions in Redis, shared with Node apps using tessera-session on the same Redis, prefix, cookie name,
    secrets and timeouts.

    Example::

        app.session_interface = TesseraSessionInterface(redis.Redis.from_url(url), secrets=[secret])
    """

    def __init__(self, client, *, secrets=None, prefix="tessera:", cookie_name="tessera", cookie_path="/",
                 cookie_domain=None, secure="auto", same_site="Lax", persistent=True,
                 idle_timeout_seconds=1800, absolute_timeout_seconds=86400, renew_interval_seconds=None,
                 max_idle_timeout_seconds=None, max_absolute_timeout_seconds=None, max_session_bytes=65536,
                 clock=now_ms):
        self.store = RedisSessionStore(client, prefix)
        self.secrets = _checked_secrets(secrets)
        self.policy = Policy(idle_timeout_seconds, absolute_timeout_seconds, renew_interval_seconds,
                             max_idle_timeout_seconds, max_absolute_timeout_seconds)
        if secure not in ("auto", True, False):
            raise ValueError('secure must be "auto", True or False')
        if str(same_site).lower() == "none" and secure is not True:
            raise ValueError("same_site None needs secure=True")
        self.cookie = dict(name=cookie_name, path=cookie_path, domain=cookie_domain, secure=secure,
                           same_site=same_site, persistent=persistent)
        self.max_session_bytes = max_session_bytes
        self.clock = clock

    # --- read -----------------------------------------------------------------------------------

    def open_session(self, app, request):
        values = []
        for value in request.cookies.getlist(self.cookie["name"]):
            if value not in values:
                values.append(value)
        dead = False
        for value in values[:MAX_SESSION_COOKIES]:
            decoded = decode_cookie_value(value, self.secrets)
            if decoded is None:
                dead = True
                continue
            token, stale = decoded
            session_id = session_id_from_token(token)
            now = self.clock()
            loaded = self.store.load(session_id, now, self.policy)
            if loaded is None:
                dead = True
                continue
            fields, expires_at, renewed = loaded
            session = TesseraSession.from_store(self.store, session_id, token, fields, expires_at)
            if (renewed or stale) and not session.read_only:  # never a cookie for a retired token
                session.cookie = ("set", token, expires_at, now)
            return session
        session = TesseraSession(self.store)
        if dead:
            session.cookie = ("clear",)  # a cookie naming no live session: clear it
        return session

    # --- commit ---------------------------------------------------------------------------------

    def save_session(self, app, session, response):
        if not isinstance(session, TesseraSession) or session.read_only:
            return  # a retired copy is never written: its changes are dropped, and the cookie left alone
        fields = self._encode(session)
        now = self.clock()
        if session.session_id is None:
            self._commit_new(session, fields, now)
        else:
            self._commit_update(session, fields, now)
        self._emit_cookie(session, response)

    def _encode(self, session):
        fields, size = {}, 0
        for key, value in session.items():
            assert_usable_key(key)
            fields[key] = encode_value(key, value)
            size += len(key.encode("utf-8")) + len(fields[key].encode("utf-8"))
        if size > self.max_session_bytes:
            largest = max(fields, key=lambda k: len(fields[k]))
            raise SessionDataError(f"Session is {size} bytes, over the limit of {self.max_session_bytes} (largest key {largest!r})")
        return fields

    def _commit_new(self, session, fields, now):
        if not fields and session.binding is None and not session.csrf_changed:
            if session.replaces_id is not None:  # a regenerate of a session then emptied still kills the old one
                session.destroy()
            return
        created_at = session.created_at or now
        policy = self.policy.for_session(session.expiry)  # the session's own expiry survives regenerates
        ttl = policy.target_ttl_ms(created_at, now)
        if ttl <= 0:
            return session._drop()
        meta = [(CREATED_AT_FIELD, str(created_at))]
        binding = session.binding
        lease_end = policy.lease_end(created_at, now)
        if binding is not None:
            meta += [(USER_ID_FIELD, binding[0]), (DEVICE_FIELD, binding[1]), (LEASE_FIELD, str(lease_end)), (LAST_SEEN_FIELD, str(now))]
            ttl = min(ttl, lease_end - now)
        if session.csrf_secret is not None:
            meta.append((CSRF_SECRET_FIELD, session.csrf_secret))
        if session.expiry is not None:
            meta.append((EXPIRY_FIELD, session.expiry_text))
        authenticated_at = now if session.authenticated_now else session.authenticated_at
        if authenticated_at is not None:
            meta.append((AUTHENTICATED_AT_FIELD, str(authenticated_at)))
        meta += list(session.flashes.items())  # a Node app's untaken flashes move with the data
        replaces = session.replaces_id
        for _attempt in range(2):  # a token collision is a 2**-128 event: one retry
            token = generate_token()
            session_id = session_id_from_token(token)
            if binding is not None:  # the index first: a live session always has a live entry
                self.store.index_add(binding[0], session_id, lease_end, now)
            result = self.store.write(session_id, "create", meta + list(fields.items()), ttl_ms=ttl, replaces=replaces)
            if result == "exists":
                continue
            if replaces is not None:
                if binding is not None:
                    self.store.index_remove(binding[0], replaces)
                self.store.announce("regenerated", replaces)
            if result != "ok":  # 'gone': logged out meanwhile; 'revoked': logged out everywhere. Fail closed.
                if binding is not None:
                    self.store.index_remove(binding[0], session_id)
                return session._drop()
            session.session_id, session.token, session.replaces_id = session_id, token, None
            session.created_at, session.expires_at, session.baseline = created_at, now + ttl, dict(fields)
            session.csrf_changed, session.authenticated_at, session.authenticated_now = False, authenticated_at, False
            if binding is not None:
                session.binding = (binding[0], binding[1], lease_end)
            session.cookie = ("set", token, now + ttl, now)
            return
        raise RuntimeError("Tessera: could not allocate a unique session id")

    def _commit_update(self, session, fields, now):
        baseline = session.baseline
        changed = [(k, t) for k, t in fields.items() if baseline.get(k) != t]
        deleted = [k for k in baseline if k not in fields]
        binding = session.binding
        policy = self.policy.for_session(session.expiry)
        lease_due = binding is not None and policy.lease_due(binding[2], session.created_at, now)
        if not changed and not deleted and not session.csrf_changed and not lease_due:
            return
        ttl = policy.target_ttl_ms(session.created_at, now)
        if ttl <= 0:
            return session._drop()  # past the absolute timeout: never written again
        set_fields = list(changed)
        if binding is not None:
            lease_end = binding[2]
            if lease_due:
                lease_end = policy.lease_end(session.created_at, now)
                self.store.index_add(binding[0], session.session_id, lease_end, now)
                set_fields.append((LEASE_FIELD, str(lease_end)))
                session.binding = (binding[0], binding[1], lease_end)
            ttl = min(ttl, lease_end - now)
            if ttl <= 0:
                return session._drop()
            set_fields.append((LAST_SEEN_FIELD, str(now)))
        if session.csrf_changed:
            set_fields.append((CSRF_SECRET_FIELD, session.csrf_secret))
        renew = (now + ttl) - (session.expires_at or 0) >= policy.renew_interval_ms
        result = self.store.write(session.session_id, "update", set_fields, deleted, ttl_ms=ttl if renew else None)
        if result != "ok":
            return session._drop()  # destroyed or expired meanwhile: never brought back
        session.baseline, session.csrf_changed = dict(fields), False
        if renew:
            session.expires_at = now + ttl
            session.cookie = ("set", session.token, now + ttl, now)

    def _emit_cookie(self, session, response):
        cookie, c = session.cookie, self.cookie
        if cookie is None:
            return
        secure = current_request.is_secure if c["secure"] == "auto" else c["secure"]
        attrs = dict(path=c["path"], domain=c["domain"], secure=secure, httponly=True, samesite=c["same_site"])
        if cookie[0] == "clear":
            response.set_cookie(c["name"], "", max_age=0, expires=0, **attrs)
            return
        _, token, expires_at, issued_at = cookie
        value = encode_cookie_value(token, self.secrets[0] if self.secrets else None)
        own = session.expiry  # a Node app's setExpiry chose the cookie's kind too
        persistent = own[2] if own is not None else c["persistent"]
        if persistent:
            max_age = max(1, math.ceil((expires_at - issued_at) / 1000))
            response.set_cookie(c["name"], value, max_age=max_age, expires=formatdate(expires_at / 1000, usegmt=True), **attrs)
        else:
            response.set_cookie(c["name"], value, **attrs)
        response.vary.add("Cookie")


def _checked_secrets(secrets):
    if secrets is None:
        return []
    if not isinstance(secrets, (list, tuple)) or not secrets:
        raise ValueError("secrets must be a non-empty list of strings (first signs, all verify), or None")
    for i, secret in enumerate(secrets):
        if not isinstance(secret, str):
            raise ValueError(f"secrets[{i}] is {type(secret).__name__}: is the environment variable that should hold it set?")
        if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"secrets[{i}] is {len(secret.encode())} bytes; use at least {MIN_SECRET_BYTES} random bytes")
    return list(secrets)


def csrf_protect(app, field_name="_csrf", header_name="X-CSRF-Token"):
    """Checks every state-changing request as src/core/csrf.ts does (source, then this session's token),
    with a 403 on failure, and gives templates ``csrf_token()``."""
    from flask import session

    @app.before_request
    def _check_csrf():
        if current_request.method in csrf.SAFE_METHODS:
            return None
        failure = csrf.source_failure(current_request.headers.get("Sec-Fetch-Site"), current_request.headers.get("Origin"),
                                      f"{current_request.scheme}://{current_request.host}")
        token = current_request.form.get(field_name) or current_request.headers.get(header_name)
        secret = getattr(session, "csrf_secret", None)
        if failure is None and not csrf.matches(token, secret):
            failure = "the token does not belong to this session (an old page, or another site)"
        if failure is not None:
            abort(403, description=f"CSRF check failed: {failure}.")
        return None

    app.jinja_env.globals["csrf_token"] = lambda: session.csrf_token()
