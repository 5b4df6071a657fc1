"""A real redis-server on a free loopback port, per test session, and Flask apps on the interface."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import redis

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flask import Flask, session  # noqa: E402

from tessera_session import install  # noqa: E402

SECRET = "s" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (.ci/run installs it)"
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="tessera-pytest-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(100):  # bounded: 10 s
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("redis-server did not start")
    yield f"redis://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def client(redis_url):
    c = redis.Redis.from_url(redis_url)
    c.flushall()
    return c


class Clock:
    def __init__(self):
        self.now = int(time.time() * 1000)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def make_app(client, clock=None, **options):
    """A Flask app whose routes set, read and drop session keys, and log in and out."""
    app = Flask(__name__)
    app.testing = True  # errors reach the test, as they reach Flask's error handling in production
    options.setdefault("secrets", [SECRET])
    if clock is not None:
        options["clock"] = clock
    install(app, client, **options)

    @app.get("/get/<key>")
    def get(key):
        return {"value": session.get(key), "id": session.id}

    @app.get("/set/<key>/<value>")
    def set_(key, value):
        session[key] = value
        return "ok"

    @app.get("/pop/<key>")
    def pop(key):
        session.pop(key, None)
        return "ok"

    @app.get("/token")
    def token():
        return session.csrf_token()

    @app.post("/login")
    def login():
        session.regenerate()
        session["username"] = "ada"
        return "ok"

    @app.post("/logout")
    def logout():
        session.destroy()
        return "ok"

    return app


@pytest.fixture
def app_factory(client, clock):
    return lambda **options: make_app(client, clock, **options)
