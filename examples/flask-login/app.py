# The Flask login example Tessera began as (a login form, a greeting, a
# logout), with its session in Redis instead of a signed cookie, shared with
# the Node instances of the demo. The lines marked "Tessera" are the change;
# the rest is the classic example (plus the demo's X-Served-By header and the
# instance name on the page, so you can see which instance answered).
import os
import socket
import sys

import redis  # Tessera
from flask import Flask, redirect, request, session, url_for
from markupsafe import escape

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from tessera_session import install  # noqa: E402  Tessera

app = Flask(__name__)
INSTANCE = f"{os.environ.get('INSTANCE_NAME', socket.gethostname())} · pid {os.getpid()}"
install(app, redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")),  # Tessera
        prefix="tessera-demo:", idle_timeout_seconds=30 * 60, absolute_timeout_seconds=7 * 24 * 3600,
        secrets=[os.environ["SESSION_SECRET"]] if os.environ.get("SESSION_SECRET") else None)

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tessera demo (Flask)</title></head><body>
<dl><dt>Served by</dt><dd><span id="instance">{instance}</span></dd>
<dt>Signed in as</dt><dd id="user">{user}</dd><dt>Visits this session</dt><dd><span id="visits">{visits}</span></dd></dl>
{body}</body></html>"""


def page(body):
    return PAGE.format(instance=escape(INSTANCE), user=escape(session.get("username", "nobody")),
                       visits=session.get("visits", 0), body=body)


def csrf_field():
    return f'<input type="hidden" name="_csrf" value="{session.csrf_token()}">'


@app.after_request
def served_by(response):
    response.headers["X-Served-By"] = INSTANCE
    return response


@app.route("/")
def index():
    session["visits"] = session.get("visits", 0) + 1
    if "username" in session:
        return page(f'<p id="greeting">Logged in as <strong>{escape(session["username"])}</strong>.</p>'
                    f'<form method="post" action="/logout">{csrf_field()}<button type="submit" id="logout">Log out</button></form>')
    return page('<p id="greeting">You are not logged in.</p><p><a id="login" href="/login">Log in</a></p>')


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        if not 1 <= len(username) <= 64:
            return page(f'<p id="error">Enter a name of 1 to 64 characters.</p>{login_form()}'), 400
        session.regenerate()  # Tessera: a new token on login defeats session fixation
        session["username"] = username
        return redirect(url_for("index"), 303)
    return page(login_form())


def login_form():
    return (f'<form method="post" action="/login">{csrf_field()}<label>Name <input type="text" name="username" id="username"></label>'
            '<button type="submit" id="submit">Log in</button></form>')


@app.route("/logout", methods=["POST"])
def logout():
    session.destroy()  # Tessera: gone on every instance (the classic session.pop("username") works too)
    return redirect(url_for("index"), 303)
