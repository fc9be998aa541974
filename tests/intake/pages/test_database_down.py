"""With the database out of reach, a page says so in a page (503, retry later), never an error."""

import httpx
import pytest

from foundation.secrets import hash_token
from intake.main import create_app
from intake.pages.session import SESSION_COOKIE, encode_session, new_session, session_key
from tests.support.dashboard import sign_in
from tests.support.live import ADMIN_TOKEN, make_settings, serve
from tests.support.ports import free_port


@pytest.fixture
def unreachable(tmp_path):
    # A port nothing listens on: every connection is refused at once.
    live = serve(create_app(make_settings(tmp_path, f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")))
    yield live.base_url
    live.stop()


def test_a_page_without_its_database_is_a_503_page(unreachable):
    with httpx.Client(base_url=unreachable, timeout=30) as client:
        assert sign_in(client, ADMIN_TOKEN).status_code == 303  # the admin's session needs no database
        for path in ("/", "/sites/1", "/trend", "/projects/drupal"):
            answer = client.get(path)
            assert answer.status_code == 503 and answer.headers["content-type"].startswith("text/html"), path
            assert "Retry-After" in answer.headers and "database" in answer.text and "Sign out" in answer.text
        assert client.get("/api/v1/sites", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()["error"][
            "code"] == "database_unavailable"  # the API keeps its JSON


def test_an_unknown_address_without_the_database_is_still_a_404_page(unreachable):
    with httpx.Client(base_url=unreachable, timeout=30) as client:
        # A site's session is looked up in the database on every page.
        site_session = new_session(is_admin=False, token_hash=hash_token("a site's token"))
        client.cookies.set(SESSION_COOKIE, encode_session(session_key(hash_token(ADMIN_TOKEN)), site_session))
        answer = client.get("/nowhere", headers={"Accept": "text/html"})
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
