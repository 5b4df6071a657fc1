"""Tessera's session format 1 (docs/format.md), the parts Python needs: the
cookie value and its signature, the store id, the reserved fields, and the
JSON text of each data field. Pure functions, no I/O."""

import base64
import hashlib
import hmac
import json
import math
import re
import secrets as _secrets

FORMAT_VERSION = 1

# Reserved fields (src/core/record-fields.ts). Data keys never start with "@".
CREATED_AT_FIELD = "@c"
USER_ID_FIELD = "@u"
DEVICE_FIELD = "@m"
LAST_SEEN_FIELD = "@s"
LEASE_FIELD = "@l"
CSRF_SECRET_FIELD = "@x"
TOMBSTONE_FIELD = "@r"
EXPIRY_FIELD = "@e"  # a session's own expiry: "<idle ms>,<absolute ms>,<persistent 1|0>"
AUTHENTICATED_AT_FIELD = "@a"  # last real authentication, epoch ms (Node's step-up checks)
RETIRED_FIELD = "@g"  # a regenerate's read-only copy: the creation time, in place of @c
FLASH_FIELD_PREFIX = "@f:"  # a Node app's flash messages, one field per key: never data, carried by a regenerate
RESERVED_FIELD_PREFIX = "@"

# The placeholder names of the Lua files (LUA_FIELD in src/store/redis/lua.ts).
LUA_FIELDS = {
    "createdAt": CREATED_AT_FIELD,
    "userId": USER_ID_FIELD,
    "lastSeen": LAST_SEEN_FIELD,
    "lease": LEASE_FIELD,
    "tombstone": TOMBSTONE_FIELD,
    "expiry": EXPIRY_FIELD,
    "retired": RETIRED_FIELD,
}

# A sealed (encryptData) field's text starts with this; Python cannot open it.
SEALED_PREFIX = "~"

_CANONICAL_32 = "[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]"
_TOKEN = re.compile(f"^{_CANONICAL_32}$")
_SIGNED = re.compile(rf"^{_CANONICAL_32}\.{_CANONICAL_32}$")
_ENCODED_LENGTH = 43

MAX_VALUE_DEPTH = 64
# Numbers beyond this lose digits in JavaScript, which reads every number as a double.
MAX_SAFE_INTEGER = 2**53 - 1


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_token() -> str:
    """A new token: 256 bits from the OS CSPRNG, canonical base64url (43 characters)."""
    return b64url(_secrets.token_bytes(32))


def session_id_from_token(token: str) -> str:
    """The store id: SHA-256 of the token's text, base64url, first 16 characters (96 bits)."""
    return b64url(hashlib.sha256(token.encode("ascii")).digest())[:16]


def _signature(token: str, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), token.encode("ascii"), hashlib.sha256).digest()


def encode_cookie_value(token: str, secret):
    """`token`, or `token.signature` (HMAC-SHA256 under the current secret)."""
    if secret is None:
        return token
    return f"{token}.{b64url(_signature(token, secret))}"


def decode_cookie_value(value: str, secrets):
    """(token, stale) when the value verifies, else None. Only the canonical
    text verifies; `stale` means re-issue it (old secret, or left over from
    signed mode). Never raises."""
    if not isinstance(value, str):
        return None
    signed = len(value) == 2 * _ENCODED_LENGTH + 1
    if not signed and len(value) != _ENCODED_LENGTH:
        return None
    if not (_SIGNED if signed else _TOKEN).match(value):
        return None
    token = value[:_ENCODED_LENGTH]
    if not secrets:
        return token, signed
    if not signed:
        return None
    given = b64url_decode(value[_ENCODED_LENGTH + 1:])
    for i, secret in enumerate(secrets):
        if hmac.compare_digest(given, _signature(token, secret)):
            return token, i > 0
    return None


class SessionDataError(ValueError):
    """A value that cannot be stored faithfully (for both languages); names the key."""

    code = "TESSERA_SESSION_DATA"


class SessionKeyError(SessionDataError):
    code = "TESSERA_SESSION_KEY"


class SessionRetiredError(RuntimeError):
    """A login, logout or regenerate on a retired token: the read-only copy a Node app's
    regenerate grace window (regenerateGraceSeconds) leaves under the old token."""

    code = "TESSERA_SESSION_STATE"


def decode_session_expiry(text):
    """(idle ms, absolute ms, persistent) of an EXPIRY_FIELD text, or None for none or anything malformed
    (decodeSessionExpiry in src/core/expiry.ts: the manager's timeouts then apply)."""
    match = re.fullmatch(r"(\d+),(\d+),([01])", text or "")
    if match is None or int(match.group(1)) <= 0:
        return None
    return int(match.group(1)), int(match.group(2)), match.group(3) == "1"


class EncryptedSessionError(RuntimeError):
    """The session holds fields sealed by encryptData, which this package cannot open."""

    code = "TESSERA_ENCRYPTED_SESSION"


def assert_usable_key(key) -> None:
    if not isinstance(key, str):
        raise SessionKeyError(f"Session key {key!r} cannot be stored: keys must be strings")
    if key == "":
        raise SessionKeyError("Session key '' cannot be stored: it is empty")
    if key.startswith(RESERVED_FIELD_PREFIX):
        raise SessionKeyError(f"Session key {key!r} cannot be stored: keys starting with '@' are reserved for Tessera's metadata")
    if key == "__proto__":
        raise SessionKeyError("Session key '__proto__' cannot be stored: it would change the data object's prototype in JavaScript")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in key):
        raise SessionKeyError(f"Session key {key!r} cannot be stored: it holds a lone surrogate")


def _check(key: str, value, path: str, depth: int) -> None:
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise SessionDataError(f"Session key {key!r} cannot be stored: {path} = {value} is beyond 2**53 - 1, which JavaScript cannot read exactly (store it as a string)")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SessionDataError(f"Session key {key!r} cannot be stored: {path} = {value} is not a finite number")
        return
    if depth >= MAX_VALUE_DEPTH:
        raise SessionDataError(f"Session key {key!r} cannot be stored: {path} nests deeper than {MAX_VALUE_DEPTH} levels")
    if type(value) is list:
        for i, item in enumerate(value):
            _check(key, item, f"{path}[{i}]", depth + 1)
        return
    if type(value) is dict:
        for name, item in value.items():
            if not isinstance(name, str):
                raise SessionDataError(f"Session key {key!r} cannot be stored: {path} has the non-string key {name!r}")
            if name == "__proto__":
                raise SessionDataError(f"Session key {key!r} cannot be stored: {path} has a key named __proto__")
            _check(key, item, f"{path}.{name}", depth + 1)
        return
    raise SessionDataError(f"Session key {key!r} cannot be stored: {path} is a {type(value).__name__} (store a dict, list, str, int, float, bool or None)")


def encode_value(key: str, value) -> str:
    """The JSON text of one top-level value (compact, UTF-8, lone surrogates escaped)."""
    _check(key, value, key, 0)
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    # A lone surrogate cannot be sent as UTF-8; JSON's \\u escape keeps it, as JavaScript writes it.
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def decode_value(text: str):
    """A field's value from its JSON text (raises ValueError when it is not JSON)."""
    return json.loads(text)
