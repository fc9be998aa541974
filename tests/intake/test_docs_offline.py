"""`/docs` and `/redoc` work without internet: every script, style and icon comes from this server."""

import re

import pytest

ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[^\s"'<>]+""")
REFERENCED = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|(?:url|spec-url)\s*[:=]\s*["']([^"']+)["']""")


@pytest.mark.parametrize(("page", "assets"), [
    ("/docs", {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}),
    ("/redoc", {"redoc.standalone.js", "favicon.png"}),
])
def test_the_page_loads_only_same_origin_assets(api, page, assets):
    answer = api.get(page)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert ABSOLUTE_URL.findall(html) == [], "no URL of another origin, CDN or fonts"
    referenced = {first or second for first, second in REFERENCED.findall(html)}
    assert "/openapi.json" in referenced
    assert {url.rsplit("/", 1)[-1] for url in referenced if url != "/openapi.json"} == assets
    for url in referenced:
        assert url.startswith("/"), url
        fetched = api.get(url)
        assert fetched.status_code == 200, url
        assert len(fetched.content) > 1000, url


def test_the_assets_are_the_real_viewers(api):
    swagger = api.get("/docs-assets/swagger-ui-bundle.js")
    assert swagger.headers["content-type"].startswith(("application/javascript", "text/javascript"))
    assert "SwaggerUIBundle" in swagger.text
    assert "<redoc spec-url=" in api.get("/redoc").text
    assert "Redoc" in api.get("/docs-assets/redoc.standalone.js").text
    assert api.get("/docs-assets/missing.js").status_code == 404
