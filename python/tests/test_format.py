import hashlib

import pytest

from tessera_session import format as fmt
from tessera_session import scripts


def test_token_is_canonical_base64url_of_32_bytes():
    token = fmt.generate_token()
    assert len(token) == 43 and fmt.decode_cookie_value(token, []) == (token, False)


def test_store_id_is_sha256_of_the_token_cut_to_16_characters():
    token = "A" * 43
    assert fmt.session_id_from_token(token) == fmt.b64url(hashlib.sha256(token.encode()).digest())[:16]


def test_signed_values_verify_with_every_secret_and_only_when_canonical():
    token = fmt.generate_token()
    old, new = "o" * 32, "n" * 32
    signed_old = fmt.encode_cookie_value(token, old)
    assert fmt.decode_cookie_value(signed_old, [new, old]) == (token, True)
    assert fmt.decode_cookie_value(fmt.encode_cookie_value(token, new), [new, old]) == (token, False)
    assert fmt.decode_cookie_value(signed_old, [new]) is None
    assert fmt.decode_cookie_value(token, [new]) is None  # unsigned while signing: refused
    # A stray-bit variant of the last character decodes to the same bytes but is not canonical.
    assert fmt.decode_cookie_value(signed_old[:-1] + ("B" if signed_old[-1] == "A" else "A"), [old]) is None
    for garbage in ["", "x", "." * 87, token + "=", None]:
        assert fmt.decode_cookie_value(garbage, [old]) is None


@pytest.mark.parametrize("value,text", [("dark", '"dark"'), (1, "1"), (1.5, "1.5"), ([1, {"a": None}], '[1,{"a":null}]'),
                                        ("naïve", '"naïve"'), ("\ud800", '"\\ud800"'), (True, "true")])
def test_values_are_compact_utf8_json(value, text):
    assert fmt.encode_value("k", value) == text


@pytest.mark.parametrize("value", [float("nan"), 2**53, (1, 2), {1: "a"}, b"x", {"__proto__": 1}, object()])
def test_values_that_javascript_would_not_read_back_are_refused_naming_the_key(value):
    with pytest.raises(fmt.SessionDataError, match="'cart'"):
        fmt.encode_value("cart", value)


@pytest.mark.parametrize("key", ["", "@c", "__proto__", 1])
def test_unusable_keys_are_refused(key):
    with pytest.raises(fmt.SessionKeyError):
        fmt.assert_usable_key(key)


def test_scripts_have_no_placeholder_or_include_left_and_no_field_spelled():
    for script in (scripts.LOAD, scripts.WRITE, scripts.INDEX_ADD, scripts.INDEX_REMOVE):
        assert "${" not in script.source and "--#include" not in script.source
        assert "'@" not in script.source
        assert "'\\064c'" in script.source or script in (scripts.INDEX_ADD, scripts.INDEX_REMOVE)
