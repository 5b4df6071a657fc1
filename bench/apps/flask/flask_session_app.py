# Bench anchor: Flask on Flask-Session 0.3 (Debian's python3-flask-session), Redis type, the same routes.
import os

import redis
from flask import Flask, session
from flask_session import Session

app = Flask(__name__)
app.config.update(SECRET_KEY="b" * 32, SESSION_TYPE="redis", SESSION_USE_SIGNER=True,
                  SESSION_KEY_PREFIX=os.environ.get("BENCH_PREFIX", "a91:"),
                  SESSION_REDIS=redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]))
Session(app)


@app.get("/login")
def login():
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
