"""The Lua scripts, loaded from the files the Node store loads
(src/store/redis/lua, linked here as lua/), by the same two rules:
`--#include name.lua` lines spliced in, `${field}` placeholders replaced by
the reserved field's Lua literal (every byte but [A-Za-z0-9_ ] as `\\ddd`).
The result is byte-identical to the Node store's, so both share one SHA."""

import hashlib
import os
import re

from .format import LUA_FIELDS

LUA_DIR = os.environ.get("TESSERA_LUA_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "lua")
_INCLUDE = re.compile(r"^--#include ([a-z-]+\.lua)\n", re.M)
_PLACEHOLDER = re.compile(r"\$\{(\w*)\}")
_PLAIN_BYTE = re.compile(rb"[A-Za-z0-9_ ]")
_MAX_INCLUDE_DEPTH = 4


def lua_string(text: str) -> str:
    out = "'"
    for byte in text.encode("utf-8"):
        ch = bytes([byte])
        out += ch.decode() if _PLAIN_BYTE.match(ch) else f"\\{byte:03d}"
    return out + "'"


def _expand(name: str, depth: int) -> str:
    if depth > _MAX_INCLUDE_DEPTH:
        raise ValueError(f"lua/{name}: includes nest deeper than {_MAX_INCLUDE_DEPTH} (a cycle?)")
    with open(os.path.join(LUA_DIR, name), encoding="utf-8", newline="") as f:
        text = f.read()
    return _INCLUDE.sub(lambda m: _expand(m.group(1), depth + 1), text)


def lua_source(name: str) -> str:
    def field(match):
        if match.group(1) not in LUA_FIELDS:
            raise ValueError(f"lua/{name}: unknown placeholder ${{{match.group(1)}}}")
        return lua_string(LUA_FIELDS[match.group(1)])

    return _PLACEHOLDER.sub(field, _expand(name, 0))


class Script:
    """A script with its SHA-1: EVALSHA, and EVAL when Redis has not seen it."""

    def __init__(self, name: str):
        self.name = name
        self.source = lua_source(name)
        self.sha = hashlib.sha1(self.source.encode("utf-8")).hexdigest()

    def __call__(self, client, keys, args):
        import redis

        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except redis.exceptions.NoScriptError:
            return client.eval(self.source, len(keys), *keys, *args)


LOAD = Script("load.lua")
WRITE = Script("write.lua")
INDEX_ADD = Script("index-add.lua")
INDEX_REMOVE = Script("index-remove.lua")
