"""Input PostgreSQL cannot store — a NUL character, a time outside years 1 to 9999 in UTC — is a 422
naming the parameter, on every route, never a 500."""

import json

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError

from intake.errors import data_exception_message
from tests.support.answers import error_of, error_paths

NUL = "%00"


def operations(api, method: str):
    document = api.get("/openapi.json").json()
    for path, methods in document["paths"].items():
        if method in methods:
            yield path, methods[method].get("parameters", [])


def filled(path: str, site: int, values: dict[str, str] | None = None) -> str:
    """`path` with its parameters: `values` where given, else a value that reaches the route."""
    values = values or {}
    defaults = {"site_id": str(site), "machine_name": "token", "task_id": "00000000-0000-0000-0000-000000000000"}
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        path = path.replace(f"{{{name}}}", values.get(name, defaults.get(name, "x")))
    return path


def test_a_nul_in_the_module_search_is_422_naming_it(api, admin_headers):
    answer = api.get(f"/api/v1/modules?q=a{NUL}b", headers=admin_headers)
    assert error_paths(answer) == ["query.q"]
    assert "NUL" in error_of(answer, 422)["message"]


def test_a_nul_in_any_query_parameter_of_any_read_is_422_naming_it(api, admin_headers, site):
    checked = 0
    for path, parameters in operations(api, "get"):
        for name in [p["name"] for p in parameters if p["in"] == "query"]:
            answer = api.get(filled(path, site.id) + f"?{name}=x{NUL}", headers=admin_headers)
            assert answer.status_code == 422, (path, name, answer.text)
            assert f"query.{name}" in error_paths(answer), (path, name)
            checked += 1
    assert checked >= 20


def test_a_nul_in_any_path_parameter_is_a_4xx_naming_it(api, admin_headers, site):
    checked = 0
    for method in ("get", "post", "patch", "delete"):
        for path, parameters in operations(api, method):
            for name in [p["name"] for p in parameters if p["in"] == "path"]:
                answer = api.request(method.upper(), filled(path, site.id, {name: f"x{NUL}"}), json={},
                                     headers=admin_headers)
                assert answer.status_code == 422, (method, path, name, answer.text)
                assert f"path.{name}" in error_paths(answer), (method, path, name)
                checked += 1
    assert checked >= 15


def test_a_nul_in_a_parameter_the_route_does_not_read_is_refused_too(api, admin_headers):
    assert error_paths(api.get(f"/api/v1/sites?page{NUL}=1", headers=admin_headers)) == ["query.page\x00"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-14:00"])
def test_a_release_date_outside_years_1_to_9999_in_utc_is_422(api, admin_headers, moment):
    assert api.post("/api/v1/modules", json={"machine_name": "token", "display_name": "Token"},
                    headers=admin_headers).status_code == 201
    answer = api.post("/api/v1/modules/token/versions", json={"version": "8.x-1.6", "release_date": moment},
                      headers=admin_headers)
    assert error_paths(answer) == ["$.release_date"]
    assert api.get("/api/v1/modules/token/versions", headers=admin_headers).json()["total"] == 0


def test_a_release_date_is_stored_in_utc(api, admin_headers):
    api.post("/api/v1/modules", json={"machine_name": "token", "display_name": "Token"}, headers=admin_headers)
    for sent, shown in [("2024-03-01T01:30:00+02:00", "2024-02-29T23:30:00Z"),
                        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
                        ("2024-03-01T12:00:00", "2024-03-01T12:00:00Z")]:
        answer = api.post("/api/v1/modules/token/versions", json={"version": "8.x-1.6", "release_date": sent},
                          headers=admin_headers)
        assert answer.status_code in (200, 201), answer.text
        assert answer.json()["release_date"] == shown


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_history_bounds_at_the_ends_of_time_are_answered(api, admin_headers, site, moment):
    for bound in ("since", "until"):
        answer = api.get(f"/api/v1/sites/{site.id}/history", params={bound: moment}, headers=admin_headers)
        assert answer.status_code in (200, 422), answer.text


@pytest.mark.parametrize(("route", "body", "path"), [
    ("/api/v1/sites", {"name": "Lone \ud800 surrogate", "url": "https://s.example"}, "$.name"),
    ("/api/v1/modules", {"machine_name": "acme", "display_name": "Acme", "description": "\udfff"},
     "$.description"),
])
def test_text_that_is_not_unicode_is_refused_with_its_path(api, admin_headers, route, body, path):
    escaped = json.dumps(body).encode()  # `\ud800` as JSON escapes it: valid JSON, not valid Unicode
    answer = api.post(route, content=escaped, headers={**admin_headers, "Content-Type": "application/json"})
    assert answer.status_code in (400, 422), answer.text
    assert path in error_paths(answer, answer.status_code)


def test_a_value_postgresql_refuses_is_a_422_with_its_reason_not_a_500(db):
    # What the schemas miss still reaches the client as its own mistake (the handler's reading of it).
    with pytest.raises(psycopg.DataError) as refused:
        db.execute("SELECT '99999999999'::int")
    wrapped = DBAPIError("SELECT", {}, refused.value)
    assert data_exception_message(wrapped) == 'value "99999999999" is out of range for type integer'
    with pytest.raises(psycopg.errors.UndefinedTable) as broken:
        db.execute("SELECT * FROM no_such_table")
    assert data_exception_message(DBAPIError("SELECT", {}, broken.value)) is None  # a bug stays a 500
