"""Signing in to the dashboard: session cookie, CSRF, sign-out, and what a site's token may see."""

import httpx
import pytest

from foundation.secrets import hash_token
from tests.support.dashboard import csrf_of, sign_in, signed_in

PAGES = ["/", "/sites/1", "/trend", "/projects/drupal", "/advisories/DRUPAL-CORE-2024-001"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_without_a_session_redirects_to_the_sign_in_form(portfolio, path):
    with httpx.Client(base_url=portfolio.base_url) as client:
        answer = client.get(path)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/signin")
    assert path == "/" or "next=" + path.replace("/", "%2F") in location


def test_the_admin_token_signs_in_with_a_signed_http_only_strict_cookie_that_holds_no_token(portfolio):
    with httpx.Client(base_url=portfolio.base_url) as client:
        answer = sign_in(client, portfolio.admin_token, next_path="/trend")
        assert answer.status_code == 303 and answer.headers["location"] == "/trend"
        cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("modwatch_session="))
        attributes = {part.strip().lower() for part in cookie.split(";")}
        assert {"httponly", "samesite=strict", "path=/"} <= attributes
        assert "secure" not in attributes  # plain http here; https sets it
        value = client.cookies["modwatch_session"]
        assert portfolio.admin_token not in value and hash_token(portfolio.admin_token).hex() not in value
        assert client.get("/trend").status_code == 200


def test_a_tampered_or_foreign_cookie_is_no_session(portfolio, admin):
    value = admin.cookies["modwatch_session"]
    body, signature = value.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    for cookie in (forged, "garbage", value + "x", "a.b"):
        with httpx.Client(base_url=portfolio.base_url, cookies={"modwatch_session": cookie}) as client:
            assert client.get("/").status_code == 303, cookie


def test_a_wrong_token_is_refused_with_the_form_again(portfolio):
    with httpx.Client(base_url=portfolio.base_url) as client:
        answer = sign_in(client, "not-a-token-of-anyone")
        assert answer.status_code == 401
        assert "not the admin token nor any site" in answer.text and "modwatch_session" not in client.cookies
        assert sign_in(client, "").status_code == 401
        assert sign_in(client, "x" * 600).status_code == 401


def test_sign_in_needs_the_form_s_csrf_token_and_cookie(portfolio):
    with httpx.Client(base_url=portfolio.base_url) as client:
        form = client.get("/signin")
        csrf = csrf_of(form.text)
        assert client.cookies["modwatch_signin_csrf"] == csrf
        # Another token than the form's, no token, or the form's token without its cookie: refused.
        for data in ({"token": portfolio.admin_token, "csrf": "forged"}, {"token": portfolio.admin_token}):
            answer = client.post("/signin", data=data)
            assert answer.status_code == 403 and "modwatch_session" not in client.cookies
        client.cookies.delete("modwatch_signin_csrf")
        answer = client.post("/signin", data={"token": portfolio.admin_token, "csrf": csrf})
        assert answer.status_code == 403 and "modwatch_session" not in client.cookies


def test_sign_in_posted_from_another_origin_is_refused(portfolio):
    with httpx.Client(base_url=portfolio.base_url) as client:
        csrf = csrf_of(client.get("/signin").text)
        answer = client.post("/signin", data={"token": portfolio.admin_token, "csrf": csrf},
                             headers={"Origin": "https://evil.example"})
        assert answer.status_code == 403 and "modwatch_session" not in client.cookies


def test_after_sign_in_only_paths_of_this_site_are_followed(portfolio):
    with httpx.Client(base_url=portfolio.base_url) as client:
        for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            client.cookies.clear()
            answer = sign_in(client, portfolio.admin_token, next_path=target)
            assert answer.status_code == 303 and answer.headers["location"] == "/", target


def test_sign_out_needs_the_session_s_csrf_token_and_ends_the_session(portfolio):
    with signed_in(portfolio.base_url, portfolio.admin_token) as client:
        page = client.get("/")
        assert client.post("/signout", data={"csrf": "forged"}).status_code == 403
        assert client.get("/").status_code == 200  # still signed in
        answer = client.post("/signout", data={"csrf": csrf_of(page.text)})
        assert answer.status_code == 303 and answer.headers["location"] == "/signin"
        assert "modwatch_session" not in client.cookies
        assert client.get("/").status_code == 303


def test_sign_out_from_another_origin_is_refused(portfolio, admin):
    csrf = csrf_of(admin.get("/").text)
    answer = admin.post("/signout", data={"csrf": csrf}, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403 and admin.get("/").status_code == 200


def test_a_site_token_sees_its_own_site_only(portfolio):
    own, other = portfolio.site("11."), portfolio.site("10.")
    with signed_in(portfolio.base_url, own.token) as client:
        overview = client.get("/")
        assert overview.status_code == 200
        assert own.site.name in overview.text and other.site.name not in overview.text
        assert client.get(f"/sites/{own.id}").status_code == 200
        refused = client.get(f"/sites/{other.id}")
        assert refused.status_code == 403 and other.site.name not in refused.text
        assert client.get("/sites/999999").status_code == 403  # no probing which ids exist
        assert client.get("/trend").status_code == 403
        project = client.get("/projects/drupal")
        assert project.status_code == 200 and other.site.name not in project.text


def test_a_rotated_site_token_ends_its_sessions(portfolio):
    from sql import connection, store

    registered = portfolio.site("7.")
    with connection.connect(portfolio.database_url) as conn:
        issued = store.sites.rotate_token(conn, site_id=registered.id, actor="test")
    with signed_in(portfolio.base_url, issued.token) as client:
        assert client.get(f"/sites/{registered.id}").status_code == 200
        with connection.connect(portfolio.database_url) as conn:
            store.sites.rotate_token(conn, site_id=registered.id, actor="test")
        assert client.get(f"/sites/{registered.id}").status_code == 303
    with httpx.Client(base_url=portfolio.base_url) as client:
        assert sign_in(client, registered.token).status_code == 401  # the demo's token was rotated before


@pytest.mark.parametrize("body, content_type", [
    (b'{"token": "x"}', "application/json"),
    (b"token=x&" * 4000, "application/x-www-form-urlencoded"),  # over the form's size
    (b"&".join(b"f%d=1" % n for n in range(50)), "application/x-www-form-urlencoded"),  # too many fields
    (b"\xff\xfe=\xff", "application/x-www-form-urlencoded"),
])
def test_a_sign_in_body_that_is_not_a_small_form_is_refused_not_an_error(portfolio, body, content_type):
    with httpx.Client(base_url=portfolio.base_url) as client:
        client.get("/signin")
        answer = client.post("/signin", content=body, headers={"Content-Type": content_type})
    assert answer.status_code == 403 and "modwatch_session" not in client.cookies



def test_behind_a_tls_proxy_the_browser_s_https_origin_is_this_site(portfolio):
    # The proxy speaks https to the browser and plain http to the app: the form's Origin names https.
    base = httpx.URL(portfolio.base_url)
    with httpx.Client(base_url=portfolio.base_url) as client:
        form = client.get("/signin")
        answer = client.post("/signin", data={"token": portfolio.admin_token, "csrf": csrf_of(form.text)},
                             headers={"Origin": f"https://{base.netloc.decode()}"})
        assert answer.status_code == 303, answer.text
        # Another host, or this host on another port, is still another origin.
        for origin in (f"https://evil.example:{base.port}", f"https://{base.host}:1", f"https://{base.host}"):
            client.cookies.clear()
            form = client.get("/signin")
            refused = client.post("/signin", data={"token": portfolio.admin_token, "csrf": csrf_of(form.text)},
                                  headers={"Origin": origin})
            assert refused.status_code == 403, origin


def test_a_session_cookie_issued_behind_a_tls_proxy_is_secure():
    from starlette.requests import Request

    from intake.pages.session import over_https

    def request(scheme: str, headers: dict[str, str]) -> Request:
        return Request({"type": "http", "scheme": scheme, "method": "GET", "path": "/", "query_string": b"",
                        "server": ("modwatch.example", 80),
                        "headers": [(name.lower().encode(), value.encode()) for name, value in headers.items()]})

    assert over_https(request("https", {}))
    assert over_https(request("http", {"X-Forwarded-Proto": "https"}))
    assert over_https(request("http", {"X-Forwarded-Proto": "https, http"}))
    assert not over_https(request("http", {}))
    assert not over_https(request("http", {"X-Forwarded-Proto": "http"}))
