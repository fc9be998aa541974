"""The session cookie and the sign-in redirect, without a server: signed, expiring, never a token."""

import time

import pytest

from foundation.secrets import hash_token
from intake.pages.session import Session, decode_session, encode_session, new_session, safe_next, session_key

KEY = session_key(hash_token("the admin token"))


def test_a_session_survives_its_round_trip_and_carries_only_a_hash():
    token = "a site's token"
    session = new_session(is_admin=False, token_hash=hash_token(token))
    cookie = encode_session(KEY, session)
    assert decode_session(KEY, cookie) == session
    assert token not in cookie
    admin = new_session(is_admin=True, token_hash=hash_token(token))
    assert decode_session(KEY, encode_session(KEY, admin)).token_hash is None


def test_another_admin_token_or_a_changed_byte_or_an_expired_session_is_no_session():
    session = new_session(is_admin=True, token_hash=None)
    cookie = encode_session(KEY, session)
    assert decode_session(session_key(hash_token("a rotated admin token")), cookie) is None
    body, signature = cookie.split(".")
    flipped = body[:5] + ("A" if body[5] != "A" else "B") + body[6:]
    assert decode_session(KEY, f"{flipped}.{signature}") is None
    expired = Session(is_admin=True, token_hash=None, csrf="x", expires=int(time.time()) - 1)
    assert decode_session(KEY, encode_session(KEY, expired)) is None
    assert decode_session(KEY, cookie, now=session.expires + 1) is None


@pytest.mark.parametrize("cookie", [None, "", ".", "a.b.c", "x" * 2000, "bm90IGpzb24.c2ln", "e30.AAAA"])
def test_malformed_cookies_are_no_session(cookie):
    assert decode_session(KEY, cookie) is None


@pytest.mark.parametrize("target, expected", [
    (None, "/"), ("", "/"), ("/sites/3?x=1", "/sites/3?x=1"), ("https://evil.example/", "/"),
    ("//evil.example", "/"), ("/\\evil.example", "/"), ("sites/3", "/"), ("javascript:alert(1)", "/"),
    ("/\t/evil.example", "/"), ("/\r\n/evil.example", "/"), ("/\x00", "/"), ("/\x7f", "/"), ("/ü?q=ä", "/ü?q=ä"),
])
def test_sign_in_returns_only_to_a_path_of_this_site(target, expected):
    assert safe_next(target) == expected
