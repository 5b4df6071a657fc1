"""A Python peer for test/python-interop.test.ts: the Flask session interface
driven over stdin/stdout, one JSON command a line, one JSON answer a line.

Commands (every one may carry "now", epoch ms, for the interface's clock):
  open    {handle, cookie}           load a session and keep it open (one LOAD call)
  save    {handle, set, del}         change an open session and commit it
  write   {cookie, set, del}         open, change and save in one step
  read    {cookie}                   the data, id and expiry of a session
  login   {cookie, username}         regenerate, then set the username
  logout  {cookie}                   destroy
  csrf    {cookie}                   a CSRF token of the session (storing its secret)
  check   {cookie, token}            whether the token is the session's
  format  {}                         the field names and script SHA-1s this package uses
Answers carry "cookie": the session cookie's value after the response ("" when cleared, null when untouched).
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))

import redis  # noqa: E402
from flask import Flask  # noqa: E402

from tessera_session import TesseraSessionInterface, csrf, format as fmt, scripts  # noqa: E402

clock = {"now": None}
app = Flask(__name__)
interface = TesseraSessionInterface(
    redis.Redis.from_url(os.environ["REDIS_URL"]),
    secrets=json.loads(os.environ["SESSION_SECRETS"]),
    prefix=os.environ.get("SESSION_PREFIX", "tessera:"),
    idle_timeout_seconds=int(os.environ.get("IDLE_SECONDS", "1800")),
    absolute_timeout_seconds=int(os.environ.get("ABSOLUTE_SECONDS", "86400")),
    clock=lambda: clock["now"] if clock["now"] is not None else fmt_now(),
)
app.session_interface = interface
open_sessions = {}


def fmt_now():
    from tessera_session.session import now_ms

    return now_ms()


def opened(cookie):
    headers = {"Cookie": f"tessera={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers):
        from flask import request

        return interface.open_session(app, request)


def saved(session):
    with app.test_request_context("/"):
        response = app.response_class()
        interface.save_session(app, session, response)
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("tessera="):
            return header.split(";", 1)[0][len("tessera="):]
    return None


def change(session, command):
    for key, value in (command.get("set") or {}).items():
        session[key] = value
    for key in command.get("del") or []:
        session.pop(key, None)


def handle(command):
    clock["now"] = command.get("now")
    op = command["op"]
    if op == "open":
        open_sessions[command["handle"]] = opened(command.get("cookie"))
        return {"ok": True}
    if op == "save":
        session = open_sessions.pop(command["handle"])
        change(session, command)
        return {"cookie": saved(session)}
    if op == "write":
        session = opened(command.get("cookie"))
        change(session, command)
        return {"cookie": saved(session)}
    if op == "read":
        session = opened(command.get("cookie"))
        return {"data": dict(session), "id": session.id, "expiresAt": session.expires_at, "userId": session.user_id}
    if op == "login":
        session = opened(command.get("cookie"))
        session.regenerate()
        session["username"] = command["username"]
        return {"cookie": saved(session)}
    if op == "logout":
        session = opened(command.get("cookie"))
        session.destroy()
        return {"cookie": saved(session)}
    if op == "csrf":
        session = opened(command.get("cookie"))
        token = session.csrf_token()
        return {"token": token, "cookie": saved(session)}
    if op == "check":
        return {"matches": csrf.matches(command["token"], opened(command.get("cookie")).csrf_secret)}
    if op == "format":
        return {"fields": fmt.LUA_FIELDS | {"device": fmt.DEVICE_FIELD, "csrfSecret": fmt.CSRF_SECRET_FIELD},
                "shas": {s.name: s.sha for s in (scripts.LOAD, scripts.WRITE, scripts.INDEX_ADD, scripts.INDEX_REMOVE)}}
    raise ValueError(f"unknown op {op!r}")


for line in sys.stdin:
    try:
        answer = handle(json.loads(line))
    except Exception as error:  # reported to the test, which fails with it
        answer = {"error": f"{type(error).__name__}: {error}"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
