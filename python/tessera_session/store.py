"""The Redis side of format 1: key names, the load and write scripts, the
per-user index, and session-end announcements. One command per step."""

import redis

from . import scripts
from .format import CREATED_AT_FIELD, RETIRED_FIELD

# A bound session's index entry outlives its lease by this much (INDEX_GRACE_MS in src/core/expiry.ts).
INDEX_GRACE_MS = 1000


class RedisSessionStore:
    """Sessions under `<prefix>s:<id>`, users' indexes under `<prefix>u:<userId>`.

    Example: ``RedisSessionStore(redis.Redis.from_url(url), prefix="tessera-demo:")``
    """

    def __init__(self, client: "redis.Redis", prefix: str = "tessera:"):
        self.client = client
        self.prefix = prefix

    def session_key(self, session_id: str) -> str:
        return f"{self.prefix}s:{session_id}"

    def user_key(self, user_id: str) -> str:
        return f"{self.prefix}u:{user_id}"

    def load(self, session_id: str, now: int, policy):
        """(fields, expires_at, renewed) or None: one LOAD script call, renewing when due (by the session's
        own expiry, when a Node app gave it one, capped by the policy's maximums)."""
        args = [now, policy.idle_ms, policy.absolute_ms, policy.renew_interval_ms, policy.max_idle_ms, policy.max_absolute_ms]
        reply = scripts.LOAD(self.client, [self.session_key(session_id)], args)
        if not reply:
            return None
        flat, ttl, renewed = reply
        fields = {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}
        if CREATED_AT_FIELD not in fields and RETIRED_FIELD not in fields:  # a retired copy loads, read-only
            return None
        return fields, now + int(ttl), int(renewed) == 1

    def write(self, session_id: str, kind: str, set_fields, delete_fields=(), ttl_ms=None, replaces=None) -> str:
        """One WRITE script call, laid out as writeArguments does: 'ok', 'gone', 'exists' or 'revoked'."""
        keys = [self.session_key(session_id)]
        if replaces is not None:
            keys.append(self.session_key(replaces))
        args = [kind, "" if ttl_ms is None else str(int(-(-ttl_ms // 1))), str(len(set_fields)), str(len(delete_fields))]
        for field, value in set_fields:
            args += [field, value]
        args += list(delete_fields)
        return _text(scripts.WRITE(self.client, keys, args))

    def destroy(self, session_id: str) -> None:
        self.client.delete(self.session_key(session_id))

    def index_add(self, user_id: str, session_id: str, lease_end: int, now: int) -> int:
        return int(scripts.INDEX_ADD(self.client, [self.user_key(user_id)], [now, session_id, lease_end + INDEX_GRACE_MS]))

    def index_remove(self, user_id: str, session_id: str) -> None:
        try:
            scripts.INDEX_REMOVE(self.client, [self.user_key(user_id)], [session_id])
        except redis.RedisError:
            pass  # a stale entry is pruned at its lease end, and listings skip it meanwhile

    def announce(self, reason: str, session_id: str) -> None:
        """Tell WebSockets on every instance (`<prefix>ended`, src/core/session-ends.ts)."""
        try:
            self.client.publish(f"{self.prefix}ended", f"{reason} {session_id}")
        except redis.RedisError:
            pass  # sockets still find the session gone at their next check


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
