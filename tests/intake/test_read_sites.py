"""GET /sites and /sites/{id}: the counts, the sort orders, pagination, who may read."""

import pytest

from tests.support.answers import error_of, error_paths, names
from tests.support.portfolio import portfolio_fixture  # noqa: F401  (provides `portfolio`)

COUNTS = {
    "alpha": {"modules": 7, "updates_available": 3, "security_updates": 1, "known_vulnerable": 1},
    "beta": {"modules": 3, "updates_available": 0, "security_updates": 0, "known_vulnerable": 0},
    "gamma": {"modules": 1, "updates_available": 0, "security_updates": 0, "known_vulnerable": 0},
    "delta": {"modules": 0, "updates_available": 0, "security_updates": 0, "known_vulnerable": 0},
}
# Each module of the portfolio is a project of its own (node is core's): the same counts, per project.
PROJECT_COUNTS = {
    "alpha": {"projects": 7, "updates_available": 3, "security_updates": 1, "known_vulnerable": 1, "in_trouble": 2},
    "beta": {"projects": 3, "updates_available": 0, "security_updates": 0, "known_vulnerable": 0, "in_trouble": 1},
    "gamma": {"projects": 1, "updates_available": 0, "security_updates": 0, "known_vulnerable": 0, "in_trouble": 0},
    "delta": {"projects": 0, "updates_available": 0, "security_updates": 0, "known_vulnerable": 0, "in_trouble": 0},
}


def test_every_site_with_its_counts(portfolio):
    answer = portfolio.get("/sites")
    body = answer.json()
    assert body["total"] == 4 and body["limit"] == 50 and body["offset"] == 0
    by_name = {item["name"]: item for item in body["items"]}
    assert {name: item["counts"] for name, item in by_name.items()} == COUNTS
    assert {name: item["project_counts"] for name, item in by_name.items()} == PROJECT_COUNTS
    alpha = by_name["alpha"]
    assert set(alpha) == {"id", "name", "url", "created_at", "last_sync_at", "core_version", "stale", "counts",
                          "project_counts"}
    assert alpha["core_version"] == "10.3.8" and alpha["last_sync_at"] is not None
    assert by_name["delta"]["last_sync_at"] is None and by_name["delta"]["core_version"] is None
    assert not any(item["stale"] for item in body["items"])  # all registered moments ago


def test_one_site_is_its_list_entry(portfolio):
    listed = {item["id"]: item for item in portfolio.get("/sites").json()["items"]}
    for site in portfolio.sites.values():
        assert portfolio.get(f"/sites/{site.id}").json() == listed[site.id]
        assert portfolio.get(f"/sites/{site.id}", headers=site.headers).json() == listed[site.id]


@pytest.mark.parametrize(("sort", "expected"), [
    ("id", ["alpha", "beta", "gamma", "delta"]),
    ("-id", ["delta", "gamma", "beta", "alpha"]),
    ("name", ["alpha", "beta", "delta", "gamma"]),
    ("-name", ["gamma", "delta", "beta", "alpha"]),
    ("last_sync_at", ["delta", "beta", "gamma", "alpha"]),  # never synced first; alpha synced again last
    ("-last_sync_at", ["alpha", "gamma", "beta", "delta"]),
    ("security_updates", ["beta", "gamma", "delta", "alpha"]),  # ties by id
    ("-security_updates", ["alpha", "delta", "gamma", "beta"]),
])
def test_sort_orders(portfolio, sort, expected):
    assert names(portfolio.get("/sites", sort=sort), "name") == expected


def test_sorted_pages_do_not_overlap(portfolio):
    pages = [names(portfolio.get("/sites", sort="-security_updates", limit=1, offset=offset), "name")
             for offset in range(4)]
    assert [name for page in pages for name in page] == ["alpha", "delta", "gamma", "beta"]


@pytest.mark.parametrize("sort", ["id", "-id", "name", "-name", "last_sync_at", "-last_sync_at",
                                  "security_updates", "-security_updates"])
def test_every_order_pages_as_it_lists(portfolio, sort):
    # Each order reads only as far as its page: pages of two, then one past the end, add up to the list.
    whole = names(portfolio.get("/sites", sort=sort), "name")
    pages = [portfolio.get("/sites", sort=sort, limit=2, offset=offset).json() for offset in (0, 2, 4)]
    assert [item["name"] for page in pages for item in page["items"]] == whole
    assert [page["total"] for page in pages] == [4, 4, 4] and pages[2]["items"] == []
    middle = portfolio.get("/sites", sort=sort, limit=2, offset=1).json()["items"]
    assert [item["name"] for item in middle] == whole[1:3]


def test_an_unknown_sort_is_refused(portfolio):
    for sort in ("url", "name; DROP TABLE sites", "--name", ""):
        assert error_paths(portfolio.get("/sites", sort=sort)) == ["query.sort"]


def test_pagination_edges(portfolio):
    first = portfolio.get("/sites", limit=3).json()
    assert len(first["items"]) == 3 and first["total"] == 4 and first["limit"] == 3
    last = portfolio.get("/sites", limit=3, offset=3).json()
    assert names_of(last) == ["delta"] and last["total"] == 4
    beyond = portfolio.get("/sites", offset=10).json()
    assert beyond == {"items": [], "total": 4, "limit": 50, "offset": 10}
    assert len(portfolio.get("/sites", limit=500).json()["items"]) == 4
    for params, path in [({"limit": 0}, "query.limit"), ({"limit": 501}, "query.limit"),
                         ({"offset": -1}, "query.offset"), ({"limit": "ten"}, "query.limit")]:
        assert error_paths(portfolio.get("/sites", **params)) == [path]


def names_of(page: dict) -> list[str]:
    return [item["name"] for item in page["items"]]


def test_who_may_read(portfolio):
    alpha, beta = portfolio.sites["alpha"], portfolio.sites["beta"]
    no_token = portfolio.get("/sites", headers={})
    assert error_of(no_token, 401)["code"] == "unauthorized"
    assert no_token.headers["www-authenticate"].startswith("Bearer")
    error_of(portfolio.get("/sites", headers={"Authorization": "Bearer nope"}), 401)
    error_of(portfolio.get("/sites", headers=alpha.headers), 403)  # the list is cross-site: admin only
    error_of(portfolio.get(f"/sites/{beta.id}", headers=alpha.headers), 403)
    error_of(portfolio.get(f"/sites/{beta.id}", headers={"Authorization": "Bearer nope"}), 401)
    # Only the admin learns that a site does not exist; a site token cannot probe ids.
    error_of(portfolio.get("/sites/999999"), 404)
    error_of(portfolio.get("/sites/999999", headers=alpha.headers), 403)
    assert error_paths(portfolio.get("/sites/0")) == ["path.site_id"]


def test_conditional_reads(portfolio):
    first = portfolio.get("/sites")
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"] == "private, no-cache"
    assert first.headers["vary"] == "Authorization"
    for condition in (etag, f'"other", {etag}', etag.removeprefix("W/"), "*"):
        again = portfolio.get("/sites", headers={**portfolio.admin_headers, "If-None-Match": condition})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    stale = portfolio.get("/sites", headers={**portfolio.admin_headers, "If-None-Match": 'W/"other"'})
    assert stale.status_code == 200 and stale.json() == first.json()
    assert portfolio.get("/sites", limit=1).headers["etag"] != etag  # another answer, another tag
    site = portfolio.sites["beta"]
    one = portfolio.get(f"/sites/{site.id}", headers=site.headers)
    cached = portfolio.get(f"/sites/{site.id}", headers={**site.headers, "If-None-Match": one.headers["etag"]})
    assert cached.status_code == 304
