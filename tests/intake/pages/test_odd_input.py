"""Every page's path and query parameters with odd values, over HTTP: a page or an HTML 4xx, never an error."""

from urllib.parse import quote

import httpx
import pytest

from tests.support.dashboard import csrf_of

ODD_VALUES = ["\x00", "a\x00b", "-1", "0", "9" * 40, "1e9", "1.5", "", " ", "ü", "😀", "\u202e", "%", "%00",
              "'; DROP TABLE sites; --", "<script>alert(1)</script>", "x" * 5000, "..", "../../etc/passwd",
              "\r\nSet-Cookie: a=b"]
QUERIES = {"/": ["kind", "q", "page"], "/trend": ["days"], "/projects/drupal": ["page"],
           "/advisories/DRUPAL-CORE-2024-001": ["page"], "/signin": ["next"]}
PATHS = ["/sites/{}", "/projects/{}", "/advisories/{}"]


def assert_page_or_refusal(answer: httpx.Response) -> None:
    assert answer.status_code < 500, answer.text[:300]
    if answer.status_code >= 400:
        assert answer.headers["content-type"].startswith("text/html"), answer.text[:300]
    assert "<script>alert(1)</script>" not in answer.text  # every template escapes what it shows
    assert "set-cookie: a=b" not in str(answer.headers).lower()


@pytest.mark.parametrize("path, parameter", [(path, name) for path, names in QUERIES.items() for name in names])
def test_odd_query_values_get_a_page_or_an_html_refusal(admin, path, parameter):
    for value in ODD_VALUES:
        answer = admin.get(path, params={parameter: value})
        assert_page_or_refusal(answer)
        if answer.status_code == 400:
            assert f"the query parameter “{parameter}”" in answer.text


@pytest.mark.parametrize("template", PATHS)
def test_odd_path_values_get_a_page_or_an_html_refusal(admin, template):
    for value in ODD_VALUES:
        if value in ("", "..") or "/" in value:
            continue  # not one path segment: another path, which no page has
        answer = admin.get(template.format(quote(value, safe="")))
        assert_page_or_refusal(answer)
        assert answer.status_code in (200, 403, 404), (value, answer.status_code)


def test_a_repeated_or_unknown_parameter_is_no_error(admin):
    for query in ("page=1&page=2", "kind=trouble&kind=bogus", "unknown=1", "q=a&q=b&q=c", "page=%FF", "q=%FF"):
        assert_page_or_refusal(admin.get("/?" + query))


@pytest.mark.parametrize("next_path", ["/\r\n/evil.example", "/\t/evil.example", "/%2F%2Fevil.example",
                                       "/\x00", "/" + "x" * 5000, "https:/evil.example", "/ü"])
def test_sign_in_with_an_odd_next_stays_on_this_site(portfolio, next_path):
    with httpx.Client(base_url=portfolio.base_url) as client:
        form = client.get("/signin", params={"next": next_path})
        assert_page_or_refusal(form)
        answer = client.post("/signin", data={"token": portfolio.admin_token, "csrf": csrf_of(form.text),
                                              "next": next_path})
        assert answer.status_code == 303
        location = answer.headers["location"]
        assert location.startswith("/") and not location.startswith("//") and "\\" not in location
        assert not any(character in location for character in "\r\n\t\x00")
        # What a browser does with it: the same origin, whatever the path (perhaps one with no page).
        assert httpx.URL(portfolio.base_url).join(location).host == httpx.URL(portfolio.base_url).host
        assert client.get(location).status_code < 500


def test_odd_cookies_are_no_session_and_no_error(portfolio):
    for cookie in ("ü".encode("latin-1"), b"\xff\xfe", b"a" * 4000, b"e30.e30", b"..", b"%00", b"\"a.b\"",
                   b"eyJhZG1pbiI6dHJ1ZX0.", b"bnVsbA.AAAA"):
        with httpx.Client(base_url=portfolio.base_url) as client:
            header = {"Cookie": b"modwatch_session=" + cookie}
            answer = client.get("/", headers=header)
            assert answer.status_code == 303 and answer.headers["location"] == "/signin", cookie
            assert client.post("/signout", data={"csrf": "x"}, headers=header).status_code == 303


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/nowhere", "/sites/1/nowhere", "/sites/%3Cscript%3E%2F", "/projects/a/b"])
def test_an_address_with_no_page_opened_in_a_browser_is_a_404_page(admin, path):
    answer = admin.get(path, headers=BROWSER, follow_redirects=True)  # a trailing slash is dropped first
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "No such page" in answer.text and "Sign out" in answer.text
    assert "<script>" not in answer.text


def test_the_api_and_other_clients_keep_json_for_an_unknown_address(admin):
    for path, headers in (("/api/v1/nowhere", BROWSER), ("/nowhere", {}), ("/nowhere", {"Accept": "*/*"})):
        answer = admin.get(path, headers=headers)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", path


def test_opening_the_sign_out_address_is_a_405_page(admin):
    answer = admin.get("/signout", headers=BROWSER)
    assert answer.status_code == 405 and answer.headers["content-type"].startswith("text/html")
    assert admin.get("/").status_code == 200  # still signed in


@pytest.mark.parametrize("path", ["/?page=x", "/sites/abc", "/trend?days=-1", "/projects/Not-A-Name"])
def test_without_a_session_a_malformed_address_asks_to_sign_in_first(portfolio, path):
    with httpx.Client(base_url=portfolio.base_url) as anonymous:
        answer = anonymous.get(path)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=")
