"""The Flask interface against a real Redis: reads, delta commits, no
resurrection, regenerate, timeouts, CSRF, and clean refusals."""

import json

import pytest
from flask import session

from conftest import SECRET
from tessera_session import EncryptedSessionError, SessionDataError
from tessera_session.format import CREATED_AT_FIELD, decode_cookie_value, session_id_from_token

PREFIX = "tessera:"


def cookie_of(test_client):
    cookie = test_client.get_cookie("tessera") if hasattr(test_client, "get_cookie") else None
    if cookie is not None:
        return cookie.value
    for c in test_client.cookie_jar:
        if c.name == "tessera":
            return c.value
    return None


def key_of(test_client):
    token, _ = decode_cookie_value(cookie_of(test_client), [SECRET])
    return f"{PREFIX}s:{session_id_from_token(token)}"


def test_a_value_set_on_one_app_is_read_on_another(app_factory):
    one, two = app_factory().test_client(), app_factory()
    assert one.get("/set/username/ada").status_code == 200
    other = two.test_client()
    other.set_cookie("localhost", "tessera", cookie_of(one))
    assert other.get("/get/username").json["value"] == "ada"


def test_an_anonymous_read_stores_nothing_and_sets_no_cookie(app_factory, client):
    c = app_factory().test_client()
    response = c.get("/get/anything")
    assert "Set-Cookie" not in response.headers and client.dbsize() == 0


def test_an_unchanged_session_writes_nothing(app_factory, client):
    c = app_factory().test_client()
    c.get("/set/a/1")
    before = client.hgetall(key_of(c))
    client.hset(key_of(c), "probe", '"p"')  # changes nothing the app writes back
    c.get("/get/a")
    assert client.hget(key_of(c), "probe") == b'"p"' and client.hget(key_of(c), "a") == before[b"a"]


def test_concurrent_writers_of_different_keys_both_survive(app_factory, client):
    app = app_factory()
    first = app.test_client()
    first.get("/set/seed/0")
    with app.test_request_context("/", headers={"Cookie": f"tessera={cookie_of(first)}"}):
        a = app.session_interface.open_session(app, __import__("flask").request)
    with app.test_request_context("/", headers={"Cookie": f"tessera={cookie_of(first)}"}):
        b = app.session_interface.open_session(app, __import__("flask").request)
        a["left"], b["right"] = "L", "R"
        app.session_interface.save_session(app, a, app.response_class())
        app.session_interface.save_session(app, b, app.response_class())
    stored = client.hgetall(key_of(first))
    assert stored[b"left"] == b'"L"' and stored[b"right"] == b'"R"' and stored[b"seed"] == b'"0"'


def test_pop_deletes_only_that_key(app_factory, client):
    c = app_factory().test_client()
    c.get("/set/a/1")
    c.get("/set/b/2")
    c.get("/pop/a")
    stored = client.hgetall(key_of(c))
    assert b"a" not in stored and stored[b"b"] == b'"2"'


def test_a_destroyed_session_is_never_brought_back_by_a_slow_write(app_factory, client):
    app = app_factory()
    c = app.test_client()
    c.get("/set/username/ada")
    key = key_of(c)
    with app.test_request_context("/", headers={"Cookie": f"tessera={cookie_of(c)}"}):
        slow = app.session_interface.open_session(app, __import__("flask").request)
        c.post("/logout", headers={"X-CSRF-Token": ""})  # refused: no token
        assert client.exists(key) == 1
        token = c.get("/token").data.decode()
        assert c.post("/logout", data={"_csrf": token}).status_code == 200
        assert client.exists(key) == 0
        slow["cart"] = [1]
        response = app.response_class()
        app.session_interface.save_session(app, slow, response)
        assert client.exists(key) == 0, "the slow write must not resurrect the session"
        assert "Max-Age=0" in response.headers["Set-Cookie"]


def test_regenerate_moves_the_data_to_a_new_token_and_kills_the_old(app_factory, client):
    c = app_factory().test_client()
    c.get("/set/cart/x")
    old_key = key_of(c)
    token = c.get("/token").data.decode()
    assert c.post("/login", data={"_csrf": token}).status_code == 200
    new_key = key_of(c)
    assert new_key != old_key and client.exists(old_key) == 0
    assert client.hget(new_key, "cart") == b'"x"' and client.hget(new_key, "username") == b'"ada"'
    # The login form's CSRF token died with the old secret.
    assert c.post("/logout", data={"_csrf": token}).status_code == 403


def test_csrf_refuses_cross_site_and_missing_tokens(app_factory):
    c = app_factory().test_client()
    token = c.get("/token").data.decode()
    assert c.post("/login", data={}).status_code == 403
    assert c.post("/login", data={"_csrf": token}, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert c.post("/login", data={"_csrf": token}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert c.post("/login", data={"_csrf": token}, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_idle_timeout_is_the_ttl_and_the_cookie_lifetime(app_factory, client):
    c = app_factory(idle_timeout_seconds=600).test_client()
    response = c.get("/set/a/1")
    assert 599_000 < client.pttl(key_of(c)) <= 600_000
    assert "Max-Age=600" in response.headers["Set-Cookie"]


def test_absolute_timeout_ends_a_session_however_active(app_factory, client, clock):
    c = app_factory(idle_timeout_seconds=600, absolute_timeout_seconds=3600).test_client()
    c.get("/set/a/1")
    key = key_of(c)
    clock.now += 3599_000
    assert c.get("/get/a").json["value"] == "1"
    clock.now += 2_000
    assert c.get("/get/a").json["value"] is None and client.exists(key) == 0


def test_renewal_moves_the_expiry_at_most_once_per_interval(app_factory, client, clock):
    c = app_factory(idle_timeout_seconds=600, renew_interval_seconds=60).test_client()
    c.get("/set/a/1")
    # Redis's TTL is the idle clock: shorten it as 30 s, then 70 s, of idleness would.
    client.pexpire(key_of(c), 570_000)
    assert "Set-Cookie" not in c.get("/get/a").headers
    client.pexpire(key_of(c), 530_000)
    assert "Max-Age=600" in c.get("/get/a").headers["Set-Cookie"]
    assert client.pttl(key_of(c)) > 590_000


def test_values_that_cannot_be_stored_fail_the_request_and_lose_nothing(app_factory, client):
    app = app_factory()

    @app.get("/bad")
    def bad():
        session["when"] = {1, 2}
        return "no"

    c = app.test_client()
    c.get("/set/a/1")
    with pytest.raises(SessionDataError, match="'when'"):
        c.get("/bad")
    assert client.hget(key_of(c), "a") == b'"1"'


def test_a_session_sealed_by_encrypt_data_is_refused_cleanly(app_factory, client):
    c = app_factory().test_client()
    c.get("/set/a/1")
    client.hset(key_of(c), "secret", "~1AAAA")
    with pytest.raises(EncryptedSessionError, match="encryptData"):
        c.get("/get/a")
    assert client.hget(key_of(c), "secret") == b"~1AAAA" and client.hexists(key_of(c), CREATED_AT_FIELD)


def test_a_forged_cookie_costs_no_redis_call_and_is_cleared(app_factory, client):
    c = app_factory().test_client()
    c.set_cookie("localhost", "tessera", "A" * 43 + "." + "A" * 43)
    response = c.get("/get/a")
    assert response.json["value"] is None and "Max-Age=0" in response.headers["Set-Cookie"]


def test_short_secrets_are_refused_at_start_up(client):
    from tessera_session import TesseraSessionInterface

    with pytest.raises(ValueError, match="at least 32"):
        TesseraSessionInterface(client, secrets=["short"])
    assert json.dumps  # keeps the import used


# --- a Node app's per-session expiry (@e), step-up time (@a) and regenerate grace window (@g) ---------------

def test_a_session_s_own_expiry_is_its_ttl_and_cookie_kind(app_factory, client, clock):
    c = app_factory(idle_timeout_seconds=600, max_idle_timeout_seconds=3600).test_client()
    c.get("/set/a/1")
    key = key_of(c)
    client.hset(key, "@e", "300000,0,0")  # as a Node app's setExpiry({ idleTimeoutSeconds: 300, persistent: false })
    clock.now += 1000
    response = c.get("/set/a/2")  # a write: by the session's own 5 minutes, never the app's 10
    assert client.pttl(key) <= 300_000
    cookie = response.headers.get("Set-Cookie", "")
    assert "Max-Age" not in cookie and "Expires" not in cookie
    client.hset(key, "@e", "3600000,0,1")  # a remember-me hour: the load renews to it
    client.pexpire(key, 300_000)
    response = c.get("/get/a")
    assert client.pttl(key) > 3_590_000 and "Max-Age=3600" in response.headers["Set-Cookie"]


def test_an_own_expiry_past_the_maximum_is_cut_to_it(app_factory, client):
    c = app_factory(idle_timeout_seconds=600).test_client()  # the maximum defaults to the idle timeout
    c.get("/set/a/1")
    key = key_of(c)
    client.hset(key, "@e", "2592000000,0,1")
    client.pexpire(key, 2_592_000_000)
    c.get("/get/a")
    assert client.pttl(key) <= 600_000


def test_a_regenerate_keeps_the_own_expiry_and_records_the_login(app_factory, client, clock):
    app = app_factory(idle_timeout_seconds=600, max_idle_timeout_seconds=3600)
    c = app.test_client()
    c.get("/set/a/1")
    client.hset(key_of(c), "@e", "3600000,0,1")
    token = c.get("/token").text
    c.post("/login", data={"_csrf": token}, headers={"Sec-Fetch-Site": "same-origin"})
    fields = client.hgetall(key_of(c))
    assert fields[b"@e"] == b"3600000,0,1" and int(fields[b"@a"]) == clock.now
    assert client.pttl(key_of(c)) > 3_590_000


def test_a_retired_copy_reads_read_only_and_leaves_the_cookie_alone(app_factory, client):
    app = app_factory()

    @app.get("/logout-now")
    def logout_now():
        session.destroy()
        return "ok"

    c = app.test_client()
    c.get("/set/a/1")
    key = key_of(c)
    created = client.hget(key, CREATED_AT_FIELD)
    client.hdel(key, CREATED_AT_FIELD)  # as a Node regenerate with regenerateGraceSeconds leaves it
    client.hset(key, "@g", created)
    client.pexpire(key, 5000)
    before = client.hgetall(key)
    response = c.get("/set/a/2")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert c.get("/get/a").json["value"] == "1" and client.hgetall(key) == before
    with pytest.raises(Exception) as refused:
        c.get("/logout-now")
    assert getattr(refused.value, "code", None) == "TESSERA_SESSION_STATE" and client.hgetall(key) == before


def test_a_node_flash_is_never_data_survives_an_update_and_moves_with_a_regenerate(app_factory, client):
    c = app_factory().test_client()
    c.get("/set/cart/x")
    client.hset(key_of(c), "@f:notice", '"Saved"')  # session.flash("notice", "Saved") from a Node app
    assert c.get("/get/@f:notice").json["value"] is None
    c.get("/set/cart/y")  # an update writes only what changed
    assert client.hget(key_of(c), "@f:notice") == b'"Saved"'
    token = c.get("/token").data.decode()
    assert c.post("/login", data={"_csrf": token}).status_code == 200
    assert client.hget(key_of(c), "@f:notice") == b'"Saved"', "the login keeps the untaken flash, as Node's regenerate does"
