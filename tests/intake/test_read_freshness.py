"""Freshness of what reads show: `stale` sites, and ETags that follow the data."""

from sql import store
from tests.support.population import Population, load_population


def test_a_site_without_a_sync_for_48_hours_is_stale(api, admin_headers, db, site):
    def stale() -> bool:
        return api.get(f"/api/v1/sites/{site.id}", headers=admin_headers).json()["stale"]

    assert not stale()  # registered just now, never synced
    db.execute("UPDATE sites SET created_at = now() - interval '49 hours' WHERE id = %s", (site.id,))
    assert stale()  # never synced since it was registered two days ago
    db.execute("UPDATE sites SET last_sync_at = now() - interval '47 hours' WHERE id = %s", (site.id,))
    assert not stale()
    db.execute("UPDATE sites SET last_sync_at = now() - interval '49 hours' WHERE id = %s", (site.id,))
    assert stale()
    listed = api.get("/api/v1/sites", headers=admin_headers).json()["items"]
    assert [item["stale"] for item in listed] == [True]


def test_the_stale_threshold_is_a_setting(start_api, admin_headers, db, site):
    client = start_api(stale_after_hours=2)
    db.execute("UPDATE sites SET last_sync_at = now() - interval '3 hours' WHERE id = %s", (site.id,))
    assert client.get(f"/api/v1/sites/{site.id}", headers=admin_headers).json()["stale"]


def test_the_etag_changes_when_a_run_changes_the_data(api, admin_headers, db):
    (site_id, *_) = load_population(db, Population(sites=2, modules_per_site=5, catalog=8, core_modules=2))
    paths = [f"/api/v1/sites/{site_id}", f"/api/v1/sites/{site_id}/modules", "/api/v1/reports/security",
             "/api/v1/sites", "/api/v1/modules/pop_000000"]
    tags = {path: api.get(path, headers=admin_headers).headers["etag"] for path in paths}
    # What a status run would do: the project of the site's first module becomes insecure, and the security
    # summaries follow.
    with db.transaction():
        changed = db.execute("UPDATE site_projects SET status = 'NOT_SECURE', security_update_available = true, "
                             "update_available = true, security_updates = '{8.x-1.9}' "
                             "WHERE site_id = %s AND status <> 'NOT_SECURE' AND project = "
                             "(SELECT project FROM modules WHERE machine_name = 'pop_000000')",
                             (site_id,))
        assert changed.rowcount == 1
        store.summaries.recount(db, site_ids=[site_id])
    for path, tag in tags.items():
        answer = api.get(path, headers={**admin_headers, "If-None-Match": tag})
        assert answer.status_code == 200 and answer.headers["etag"] != tag, path
