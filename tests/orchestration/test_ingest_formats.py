"""What Drupal hosts already print, through the real intake, sensor and ingest job, to the statuses
Drupal's own update report gives: drush pm:list of Drupal 7, 10 and 11 sites, and a composer.lock.

Release data comes from the demo's bundled feeds (drupal.org's 7.x feeds of mid-2014, hand-written
`current` feeds of January 2025)."""

import gzip
import json

import pytest

from modwatch.demo import FEEDS_DIR
from tests.support.inventories import COMPOSER_LOCK, DRUSH_DRUPAL7, DRUSH_DRUPAL10, DRUSH_DRUPAL11, document
from tests.support.platform import Platform

GZIP_JSON = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


@pytest.fixture
def drupal_feeds(platform, monkeypatch) -> Platform:
    monkeypatch.setenv("MODWATCH_RELEASE_FEED_URL", FEEDS_DIR.as_uri())
    return platform


def push_raw(platform: Platform, site, body: bytes, query: str = "") -> dict:
    answer = platform.api.post(f"/api/v1/sites/{site.id}/modules{query}", content=gzip.compress(body),
                               headers={**site.headers, **GZIP_JSON})
    assert answer.status_code == 202, answer.text
    return answer.json()


def process(platform: Platform) -> None:
    while platform.run_once() is not None:
        pass
    assert platform.runs and all(run.success for run in platform.runs)


def site_modules(db, site_id: int) -> dict[str, dict]:
    rows = db.execute(
        "SELECT m.machine_name, sm.project, sm.module_type, sm.enabled, v.version_string AS version, sp.status, "
        "sp.status_reason, sp.security_update_available, sm.removed_at "
        "FROM site_modules sm JOIN modules m ON m.id = sm.module_id "
        "JOIN module_versions v ON v.id = sm.current_version_id "
        # a module's status is its project's on that site; every module has one once the run is done
        "JOIN site_projects sp ON sp.site_id = sm.site_id AND sp.project = sm.project "
        "WHERE sm.site_id = %s", (site_id,)).fetchall()
    return {row["machine_name"]: row for row in rows}


def statuses(modules: dict[str, dict], *names: str) -> dict[str, str]:
    return {name: modules[name]["status"] for name in names}


def test_drush_8_on_a_drupal_7_site(drupal_feeds, db):
    site = drupal_feeds.add_site("intranet")
    accepted = push_raw(drupal_feeds, site, DRUSH_DRUPAL7.read_bytes())
    assert (accepted["modules_received"], accepted["sync_type"]) == (29, "full")
    process(drupal_feeds)

    modules = site_modules(db, site.id)
    assert len(modules) == 29 and {"php", "aggregator", "search_krumo"}.isdisjoint(modules)
    assert statuses(modules, "system", "node", "bartik", "views", "views_ui", "webform", "field_group", "token",
                    "devel", "devel_generate", "intranet_core") == {
        "system": "NOT_SECURE", "node": "NOT_SECURE", "bartik": "NOT_SECURE",  # core 7.28; 7.29 is a security release
        "views": "NOT_SECURE", "views_ui": "NOT_SECURE",  # a submodule is judged with its project
        "webform": "NOT_SECURE",
        "field_group": "NOT_CURRENT",
        "token": "CURRENT",
        "devel": "NOT_CHECKED", "devel_generate": "NOT_CHECKED",  # a dev checkout without a build date
        "intranet_core": "UNKNOWN",
    }
    assert modules["statistics"]["enabled"] is False and modules["statistics"]["project"] == "drupal"
    assert modules["intranet_core"]["version"] == "" and modules["intranet_core"]["module_type"] == "custom"
    task = drupal_feeds.status(accepted["task_id"])
    assert task["status"] == "completed" and task["result"]["modules_created"] == 29
    # The task counts the present modules whose project has a security update: every module of core 7.28,
    # views and views_ui, webform.
    with_update = [name for name, row in modules.items()
                   if row["security_update_available"] and row["removed_at"] is None]
    assert {"system", "node", "views", "views_ui", "webform"} <= set(with_update)
    assert task["result"]["security_updates_found"] == len(with_update)
    assert "intranet_core: no version" in task["result"]["warnings"]


def test_drush_on_drupal_10_and_11_sites(drupal_feeds, db):
    corporate, portal = drupal_feeds.add_site("corporate"), drupal_feeds.add_site("portal")
    push_raw(drupal_feeds, corporate, DRUSH_DRUPAL10.read_bytes())
    push_raw(drupal_feeds, portal, DRUSH_DRUPAL11.read_bytes(), "?format=drush")
    process(drupal_feeds)

    d10 = site_modules(db, corporate.id)
    assert len(d10) == 28
    assert statuses(d10, "node", "olivero", "webform", "webform_ui", "ctools", "ckeditor", "metatag", "token",
                    "devel", "corporate_blocks") == {
        "node": "NOT_SUPPORTED", "olivero": "NOT_SUPPORTED",  # core 10.2.7: the 10.2 branch is unsupported
        # A newer security release is listed, but on current feeds only an Insecure mark makes NOT_SECURE.
        "webform": "NOT_CURRENT", "webform_ui": "NOT_CURRENT",
        "ctools": "NOT_SUPPORTED",
        "ckeditor": "NOT_SUPPORTED",
        "metatag": "NOT_CURRENT",
        "token": "CURRENT",
        "devel": "NOT_CHECKED",
        "corporate_blocks": "UNKNOWN",
    }
    # A git clone without a version: kept, and judged as Drupal judges it.
    assert (d10["pathauto"]["status"], d10["pathauto"]["status_reason"]) == ("UNKNOWN", "Empty version")
    assert d10["admin_toolbar_tools"]["status"] == d10["admin_toolbar"]["status"]
    assert d10["webform"]["security_update_available"] and d10["node"]["security_update_available"]
    assert d10["ckeditor"]["enabled"] is False and d10["forum"]["enabled"] is False

    d11 = site_modules(db, portal.id)
    assert statuses(d11, "system", "linkit", "smart_trim", "search_api", "search_api_db", "easy_breadcrumb",
                    "pim_connector", "portal_api") == {
        "system": "CURRENT",
        "linkit": "NOT_SECURE",  # 6.1.4 is marked insecure
        "smart_trim": "REVOKED",
        "search_api": "NOT_CURRENT", "search_api_db": "NOT_CURRENT",
        "easy_breadcrumb": "NOT_CHECKED",  # drush prints no datestamp: the snapshot's build date is unknown
        "pim_connector": "UNKNOWN",  # no such drupal.org project
        "portal_api": "UNKNOWN",
    }
    assert d11["gin"]["module_type"] == "contrib" and d11["portal_theme"]["enabled"] is False


def test_a_composer_lock(drupal_feeds, db):
    site = drupal_feeds.add_site("corporate")
    accepted = push_raw(drupal_feeds, site, COMPOSER_LOCK.read_bytes())
    assert accepted["modules_received"] == 8
    process(drupal_feeds)

    modules = site_modules(db, site.id)
    assert set(modules) == {"drupal", "admin_toolbar", "ckeditor", "ctools", "metatag", "token", "webform", "devel"}
    assert statuses(modules, *(name for name in modules if name != "admin_toolbar")) == {
        "drupal": "NOT_SUPPORTED",
        "ckeditor": "NOT_SUPPORTED",
        "ctools": "NOT_SUPPORTED",  # 3.14.0, mapped back to 8.x-3.14
        "metatag": "NOT_CURRENT",
        "token": "CURRENT",
        "webform": "NOT_CURRENT",
        "devel": "NOT_CHECKED",
    }
    assert modules["webform"]["security_update_available"] and modules["drupal"]["security_update_available"]
    assert modules["ctools"]["version"] == "8.x-3.14" and modules["drupal"]["module_type"] == "core"


def test_a_drush_push_is_a_full_sync(drupal_feeds, db):
    site = drupal_feeds.add_site("portal")
    push_raw(drupal_feeds, site, DRUSH_DRUPAL11.read_bytes())
    process(drupal_feeds)
    smaller = document(DRUSH_DRUPAL11)
    del smaller["smart_trim"]
    smaller["linkit"]["status"] = "Disabled"
    smaller["pathauto"] = {"package": "Other", "project": "", "display_name": "Pathauto (pathauto)",
                           "name": "pathauto", "type": "module", "path": "modules/contrib/pathauto",
                           "status": "Enabled", "version": None}
    accepted = push_raw(drupal_feeds, site, json.dumps(smaller).encode())
    process(drupal_feeds)

    result = drupal_feeds.status(accepted["task_id"])["result"]
    assert (result["modules_created"], result["modules_updated"], result["modules_removed"]) == (1, 1, 1)
    modules = site_modules(db, site.id)
    assert modules["smart_trim"]["removed_at"] is not None and modules["linkit"]["enabled"] is False
    assert modules["pathauto"]["status_reason"] == "Empty version"
