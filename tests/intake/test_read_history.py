"""GET /sites/{id}/history: newest first, filters by module, event and time, pages, access."""

import pytest

from tests.support.answers import error_of, error_paths
from tests.support.portfolio import portfolio_fixture  # noqa: F401  (provides `portfolio`)

FIRST_SYNC = ["acme_custom", "admin_toolbar", "ctools", "node", "old_module", "pathauto", "token", "views"]


def history(portfolio, site: str = "alpha", **params):
    return portfolio.get(f"/sites/{portfolio.sites[site].id}/history", **params)


def events(answer) -> list[tuple[str, str]]:
    assert answer.status_code == 200, answer.text
    return [(item["event"], item["machine_name"]) for item in answer.json()["items"]]


def second_sync_time(portfolio) -> str:
    return history(portfolio, limit=1).json()["items"][0]["occurred_at"]


def test_newest_first_with_every_field(portfolio):
    answer = history(portfolio)
    body = answer.json()
    assert body["total"] == 11
    items = body["items"]
    assert set(items[0]) == {"id", "machine_name", "event", "from_version", "to_version", "task_id", "occurred_at"}
    newest, oldest = items[:3], items[3:]
    assert sorted((i["event"], i["machine_name"], i["from_version"], i["to_version"]) for i in newest) == [
        ("disabled", "admin_toolbar", "8.x-1.0", "8.x-1.0"),
        ("removed", "old_module", "8.x-1.0", None),
        ("version_changed", "pathauto", "8.x-1.7", "8.x-1.8")]
    assert {i["task_id"] for i in newest} == {portfolio.tasks["alpha_second"]}
    assert sorted(i["machine_name"] for i in oldest) == FIRST_SYNC
    assert {(i["event"], i["task_id"]) for i in oldest} == {("added", portfolio.tasks["alpha_first"])}
    times = [i["occurred_at"] for i in items]
    assert times == sorted(times, reverse=True) and times[0] > times[-1]
    # Within one moment, the newest event (highest id) first.
    assert [i["id"] for i in newest] == sorted((i["id"] for i in newest), reverse=True)


@pytest.mark.parametrize(("params", "expected"), [
    ({"module": "pathauto"}, [("version_changed", "pathauto"), ("added", "pathauto")]),
    ({"module": "old_module"}, [("removed", "old_module"), ("added", "old_module")]),
    ({"module": "no_such_module"}, []),
    ({"event": "removed"}, [("removed", "old_module")]),
    ({"event": "removed,disabled"}, [("disabled", "admin_toolbar"), ("removed", "old_module")]),
    ({"event": ["removed", "disabled"]}, [("disabled", "admin_toolbar"), ("removed", "old_module")]),
    ({"event": "enabled"}, []),
    ({"module": "pathauto", "event": "added"}, [("added", "pathauto")]),
    ({"module": "token", "event": "version_changed"}, []),
])
def test_filters(portfolio, params, expected):
    answer = history(portfolio, **params)
    found = events(answer)
    assert sorted(found) == sorted(expected) and answer.json()["total"] == len(expected)
    if "module" in params:
        assert found == expected  # one module's events are from different syncs: newest first


def test_time_range(portfolio):
    second = second_sync_time(portfolio)
    assert len(events(history(portfolio, since=second))) == 3  # since is inclusive
    assert {e for e, _ in events(history(portfolio, until=second))} == {"added"}  # until is exclusive
    assert events(history(portfolio, since=second, until=second)) == []
    assert events(history(portfolio, since="2000-01-01T00:00:00", until="2000-01-02T00:00:00")) == []
    assert len(events(history(portfolio, since="2000-01-01T00:00:00Z", limit=500))) == 11  # naive means UTC
    combined = history(portfolio, since=second, event="added,version_changed", module="pathauto")
    assert events(combined) == [("version_changed", "pathauto")]


def test_invalid_filters_are_refused_with_their_path(portfolio):
    assert error_paths(history(portfolio, since="2030-01-01T00:00:00Z", until="2020-01-01T00:00:00Z")) == [
        "query.until"]
    assert error_paths(history(portfolio, since="yesterday")) == ["query.since"]
    assert error_paths(history(portfolio, event="added,upgraded")) == ["query.event"]
    assert error_paths(history(portfolio, module="Not A Name")) == ["query.module"]


def test_pagination_edges(portfolio):
    everything = [i["id"] for i in history(portfolio, limit=500).json()["items"]]
    pages = [history(portfolio, limit=4, offset=offset).json() for offset in (0, 4, 8)]
    assert [i["id"] for page in pages for i in page["items"]] == everything
    assert all(page["total"] == 11 for page in pages) and len(pages[-1]["items"]) == 3
    assert history(portfolio, offset=11).json() == {"items": [], "total": 11, "limit": 50, "offset": 11}
    assert error_paths(history(portfolio, limit=0)) == ["query.limit"]
    assert error_paths(history(portfolio, limit=501)) == ["query.limit"]


def test_who_may_read(portfolio):
    alpha, beta = portfolio.sites["alpha"], portfolio.sites["beta"]
    assert len(events(portfolio.get(f"/sites/{alpha.id}/history", headers=alpha.headers))) == 11
    error_of(portfolio.get(f"/sites/{alpha.id}/history", headers=beta.headers), 403)
    error_of(portfolio.get(f"/sites/{alpha.id}/history", headers={}), 401)
    error_of(portfolio.get("/sites/999999/history"), 404)
    error_of(portfolio.get("/sites/999999/history", headers=beta.headers), 403)
    assert history(portfolio, "delta").json()["total"] == 0


def test_conditional_reads(portfolio):
    first = history(portfolio)
    again = history(portfolio, headers={**portfolio.admin_headers, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
