"""CSRF tokens of format 1 (src/core/csrf-token.ts): a per-session secret in
`@x`, masked afresh for every page, so Node and Flask pages' forms verify on
either side."""

import hmac
import re
import secrets as _secrets

from .format import b64url, b64url_decode

_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{86}$")
SAFE_METHODS = frozenset(["GET", "HEAD", "OPTIONS", "TRACE"])


def generate_secret() -> str:
    return b64url(_secrets.token_bytes(32))


def is_secret(text) -> bool:
    return isinstance(text, str) and bool(_SECRET.match(text))


def mask(secret: str) -> str:
    plain = b64url_decode(secret)
    pad = _secrets.token_bytes(32)
    return b64url(pad + bytes(a ^ b for a, b in zip(plain, pad)))


def matches(token, secret) -> bool:
    if not isinstance(token, str) or not _TOKEN.match(token) or not is_secret(secret):
        return False
    raw = b64url_decode(token)
    unmasked = bytes(a ^ b for a, b in zip(raw[32:], raw[:32]))
    return hmac.compare_digest(unmasked, b64url_decode(secret))


def source_failure(sec_fetch_site, origin, app_origin):
    """Why the request's source is refused (as src/core/csrf.ts decides), or None."""
    if sec_fetch_site is not None:
        if sec_fetch_site in ("same-origin", "none"):
            return None
        return f"the request came from another site (Sec-Fetch-Site: {sec_fetch_site})"
    if origin is not None and origin != app_origin:
        return f"Origin {origin} is not this app's origin"
    return None
