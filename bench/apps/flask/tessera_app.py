# Bench app: Flask on tessera_session (python/), the bench's three routes.
import os
import sys

import redis
from flask import Flask, session

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))
from tessera_session import TesseraSessionInterface  # noqa: E402

app = Flask(__name__)
app.session_interface = TesseraSessionInterface(redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]),
                                                secrets=["b" * 32], prefix=os.environ.get("BENCH_PREFIX", "a90:"))


@app.get("/login")
def login():
    session.regenerate()
    session["username"] = "bench"
    session["visits"] = 0
    return "ok"


@app.get("/")
def read():
    return f"hello {session.get('username', 'nobody')}"


@app.get("/hit")
def hit():
    session["visits"] = session.get("visits", 0) + 1
    return f"{session['visits']}"
