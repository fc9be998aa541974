"""Every payload shape -> one typed inventory frame (transforms.inventory, transforms.drush,
transforms.composer_lock)."""

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.support.inventories import COMPOSER_LOCK, DRUSH_DRUPAL7, DRUSH_DRUPAL10, DRUSH_DRUPAL11, document
from transforms.inventory import (
    INVENTORY_SCHEMA,
    PAYLOAD_ERRORS_SCHEMA,
    PAYLOADS_SCHEMA,
    normalise_inventory,
    payload_body_errors,
)
from transforms.versions import VERSION_FIELDS, parse_version

TASK_1 = "0b5d3c4e-0000-4000-8000-000000000001"
TASK_2 = "0b5d3c4e-0000-4000-8000-000000000002"
TASK_3 = "0b5d3c4e-0000-4000-8000-000000000003"


def shape_a(modules: list[dict], core_version: str = "10.3.8", **extra) -> dict:
    return {
        "site": {"url": "https://www.example.org", "name": "Example"},
        "drupal_info": {"core_version": core_version, "php_version": "8.3.2"},
        "modules": modules,
        "full_sync": False,
        **extra,
    }


def shape_b(modules: list[dict], core_version: str = "10.3.8", **extra) -> dict:
    return {
        "site_info": {"name": "Example", "anything": [1, {"nested": None}]},
        "modules": modules,
        "sync_timestamp": 1718000000,
        "drupal_version": core_version,
        "php_version": "8.3.2",
        "sync_type": "full",
        **extra,
    }


def module_a(machine_name: str, version: str, module_type: str = "contrib", enabled: bool = True, **extra) -> dict:
    return {
        "machine_name": machine_name,
        "display_name": machine_name.replace("_", " ").title(),
        "module_type": module_type,
        "enabled": enabled,
        "version": version,
        **extra,
    }


def module_b(machine_name: str, version: str, module_type: str = "contrib", status: bool = True, **extra) -> dict:
    return {
        "machine_name": machine_name,
        "name": machine_name.replace("_", " ").title(),
        "type": module_type,
        "version": version,
        "status": status,
        **extra,
    }


def payload(landing_id, task_id, site_id, shape, body, *, sync_type="partial", core_version="10.3.8") -> dict:
    return {
        "landing_id": landing_id,
        "task_id": task_id,
        "site_id": site_id,
        "payload_shape": shape,
        "sync_type": sync_type,
        "core_version": core_version,
        "body": body if isinstance(body, str) or body is None else json.dumps(body),
    }


def payloads(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=PAYLOADS_SCHEMA)


def row(
    landing_id: int,
    task_id: str,
    site_id: int,
    machine_name: str,
    version: str | None,
    *,
    sync_type: str = "partial",
    project: str | None = None,
    display_name: str | None = None,
    module_type: str = "contrib",
    enabled: bool = True,
    description: str | None = None,
    datestamp: int | None = None,
    core_major: int = 10,
    warning: str | None = None,
) -> dict:
    """An expected inventory row; parsed fields come from the scalar parser."""
    parsed = parse_version(version) if version is not None else None
    return {
        "landing_id": landing_id,
        "task_id": task_id,
        "site_id": site_id,
        "sync_type": sync_type,
        "machine_name": machine_name,
        "project": project or machine_name,
        "display_name": display_name or machine_name.replace("_", " ").title(),
        "module_type": module_type,
        "enabled": enabled,
        "description": description,
        "version": version,
        **{name: getattr(parsed, name) if parsed else None for name in VERSION_FIELDS},
        "datestamp": datestamp,
        "core_major": core_major,
        "warning": warning,
    }


def expected(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=INVENTORY_SCHEMA)


def normalised(frame: pl.DataFrame) -> pl.DataFrame:
    return normalise_inventory(frame).collect()


# --- shape A -----------------------------------------------------------------------------


def test_shape_a():
    body = shape_a(
        [
            module_a("node", "10.3.8", module_type="core"),
            module_a("views_ui", "10.3.8", module_type="core", enabled=False),
            module_a("token", "8.x-1.15", description="Tokens", datestamp=1718000000),
            module_a("pathauto", "8.x-1.x-dev", datestamp=1718000100, project="pathauto"),
            module_a("my_custom", "1.0.0", module_type="custom"),
        ]
    )
    out = normalised(payloads(payload(1, TASK_1, 7, "a", body)))
    assert_frame_equal(
        out,
        expected(
            row(1, TASK_1, 7, "node", "10.3.8", project="drupal", module_type="core"),
            row(1, TASK_1, 7, "views_ui", "10.3.8", project="drupal", module_type="core", enabled=False),
            row(1, TASK_1, 7, "token", "8.x-1.15", description="Tokens", datestamp=1718000000),
            row(1, TASK_1, 7, "pathauto", "8.x-1.x-dev", datestamp=1718000100),
            row(1, TASK_1, 7, "my_custom", "1.0.0", module_type="custom"),
        ),
    )


# --- shape B -----------------------------------------------------------------------------


def test_shape_b_with_every_optional_field():
    body = shape_b(
        [
            module_b(
                "views_ui",
                "8.x-3.1",
                status=False,
                schema_version=8001,
                package="Views",
                core_compatibility=["^9 || ^10"],
                dependencies=["views"],
                description="Administrative interface for Views.",
                project_link="https://www.drupal.org/project/views",
                security_coverage=True,
                project="views",
                datestamp=1700000000,
            ),
            module_b("system", "10.3.8", module_type="core"),
        ]
    )
    out = normalised(payloads(payload(3, TASK_2, 9, "b", body, sync_type="full")))
    assert_frame_equal(
        out,
        expected(
            row(
                3,
                TASK_2,
                9,
                "views_ui",
                "8.x-3.1",
                sync_type="full",
                project="views",
                enabled=False,
                description="Administrative interface for Views.",
                datestamp=1700000000,
            ),
            row(3, TASK_2, 9, "system", "10.3.8", sync_type="full", project="drupal", module_type="core"),
        ),
    )


def test_absent_and_null_optional_fields_are_null():
    absent = module_b("token", "8.x-1.15")
    nulls = module_b(
        "pathauto",
        "8.x-1.12",
        schema_version=None,
        package=None,
        core_compatibility=None,
        dependencies=None,
        description=None,
        project_link=None,
        security_coverage=None,
        project=None,
        datestamp=None,
    )
    a_nulls = module_a("ctools", "4.0.4", description=None, project=None, datestamp=None)
    out = normalised(
        payloads(
            payload(1, TASK_1, 1, "b", shape_b([absent, nulls])),
            payload(2, TASK_2, 1, "a", shape_a([a_nulls])),
        )
    )
    assert_frame_equal(
        out,
        expected(
            row(1, TASK_1, 1, "token", "8.x-1.15"),
            row(1, TASK_1, 1, "pathauto", "8.x-1.12"),
            row(2, TASK_2, 1, "ctools", "4.0.4"),
        ),
    )


# --- rules -------------------------------------------------------------------------------


def test_explicit_project():
    body = shape_a([module_a("views_ui", "8.x-3.1", project="views"), module_a("views", "8.x-3.1")])
    out = normalised(payloads(payload(1, TASK_1, 1, "a", body)))
    assert out.select("machine_name", "project").rows() == [("views_ui", "views"), ("views", "views")]


def test_core_modules_take_the_site_core_version():
    body = shape_b(
        [
            module_b("node", "7.59", module_type="core"),
            module_b("block", "7.58", module_type="core"),  # a stale copy: judged with core
            module_b("help", "VERSION", module_type="core", project="something_else"),
            module_b("views", "7.x-3.8"),
        ],
        core_version="7.59",
    )
    out = normalised(payloads(payload(1, TASK_1, 4, "b", body, core_version="7.59")))
    assert_frame_equal(
        out,
        expected(
            row(1, TASK_1, 4, "node", "7.59", project="drupal", module_type="core", core_major=7),
            row(
                1,
                TASK_1,
                4,
                "block",
                "7.59",
                project="drupal",
                module_type="core",
                core_major=7,
                warning="block: core module reported at '7.58'; judged as core '7.59'",
            ),
            row(
                1,
                TASK_1,
                4,
                "help",
                "7.59",
                project="drupal",
                module_type="core",
                core_major=7,
                warning="help: core module reported at 'VERSION'; judged as core '7.59'",
            ),
            row(1, TASK_1, 4, "views", "7.x-3.8", core_major=7),
        ),
    )


def test_core_version_that_is_not_a_drupal_version_warns_on_core_modules():
    body = shape_a([module_a("node", "10.4.0-dev", module_type="core")], core_version="10.4.x-dev")
    out = normalised(payloads(payload(1, TASK_1, 1, "a", body, core_version="10.4.x")))
    assert out["version"].to_list() == ["10.4.x"]
    assert out["sort_key"].to_list() == [None]
    assert out["core_major"].to_list() == [10]
    assert out["warning"].to_list() == [
        "node: core module reported at '10.4.0-dev'; judged as core '10.4.x'; "
        "node: version '10.4.x' is not a Drupal version"
    ]


def test_duplicate_machine_names_keep_the_last_entry():
    body = shape_a(
        [
            module_a("token", "8.x-1.14", description="first"),
            module_a("views", "8.x-3.1"),
            module_a("token", "8.x-1.15", description="second"),
            module_a("token", "banana", description="third"),
        ]
    )
    other_task = shape_a([module_a("token", "8.x-1.13")])
    out = normalised(payloads(payload(1, TASK_1, 1, "a", body), payload(2, TASK_2, 1, "a", other_task)))
    assert_frame_equal(
        out,
        expected(
            row(1, TASK_1, 1, "views", "8.x-3.1"),
            row(
                1,
                TASK_1,
                1,
                "token",
                "banana",
                description="third",
                warning="token: listed 3 times in the payload; the last entry counts; "
                "token: version 'banana' is not a Drupal version",
            ),
            # The same module in another task is no duplicate.
            row(2, TASK_2, 1, "token", "8.x-1.13"),
        ),
    )


@pytest.mark.parametrize(
    "version",
    ["banana", "1.x", "8.x-1.x", "1.0.0.0", "VERSION", "v1.2.3", "dev-main", "1.0 ", "8.x-1.0-BETA1", "\u00e9"],
)
def test_odd_versions_keep_their_row_with_a_warning(version):
    body = shape_b([module_b("odd_module", version, module_type="custom"), module_b("token", "8.x-1.15")])
    out = normalised(payloads(payload(1, TASK_1, 1, "b", body)))
    assert_frame_equal(
        out,
        expected(
            row(
                1,
                TASK_1,
                1,
                "odd_module",
                version,
                module_type="custom",
                warning=f"odd_module: version '{version}' is not a Drupal version",
            ),
            row(1, TASK_1, 1, "token", "8.x-1.15"),
        ),
    )


@pytest.mark.parametrize("version", ["1.0.0+5-dev", "8.x-2.x-dev", "10.3.x-dev", "7.x-1.0-unstable3", "8.x-1.01"])
def test_unusual_but_valid_versions_parse(version):
    body = shape_a([module_a("thing", version, datestamp=1718000000)])
    out = normalised(payloads(payload(1, TASK_1, 1, "a", body)))
    assert_frame_equal(out, expected(row(1, TASK_1, 1, "thing", version, datestamp=1718000000)))


def test_unknown_keys_are_ignored_whatever_their_type():
    # Keys named like the *other* shape's fields, with types that field could not hold.
    a_module = module_a(
        "token",
        "8.x-1.15",
        status="weird",
        name=5,
        type=["x"],
        schema_version="not a number",
        nested={"modules": [{"machine_name": 1}]},
    )
    b_module = {
        **module_b("views", "8.x-3.1"),
        "enabled": "yes",
        "display_name": {"x": 1},
        "module_type": 3,
        "extra": [None, 1.5],
    }
    out = normalised(
        payloads(
            payload(1, TASK_1, 1, "a", shape_a([a_module], future_field={"anything": [1, 2]}, version=7)),
            payload(2, TASK_2, 2, "b", shape_b([b_module], site={"url": 1}, drupal_info=None)),
        )
    )
    assert_frame_equal(
        out,
        expected(row(1, TASK_1, 1, "token", "8.x-1.15"), row(2, TASK_2, 2, "views", "8.x-3.1")),
    )


def test_several_tasks_and_sites_in_arrival_order():
    frame = payloads(
        payload(12, TASK_3, 2, "b", shape_b([module_b("webform", "6.2.7")]), core_version="10.2.1"),
        payload(10, TASK_1, 1, "a", shape_a([module_a("token", "8.x-1.15"), module_a("ctools", "4.0.4")])),
        payload(
            11,
            TASK_2,
            3,
            "b",
            shape_b([module_b("views", "7.x-3.8"), module_b("system", "7.101", module_type="core")]),
            sync_type="full",
            core_version="7.101",
        ),
    )
    out = normalise_inventory(frame.lazy()).collect()
    assert_frame_equal(
        out,
        expected(
            row(10, TASK_1, 1, "token", "8.x-1.15"),
            row(10, TASK_1, 1, "ctools", "4.0.4"),
            row(11, TASK_2, 3, "views", "7.x-3.8", sync_type="full", core_major=7),
            row(
                11,
                TASK_2,
                3,
                "system",
                "7.101",
                sync_type="full",
                project="drupal",
                module_type="core",
                core_major=7,
            ),
            row(12, TASK_3, 2, "webform", "6.2.7"),
        ),
    )


@pytest.mark.parametrize(
    ("core_version", "core_major"), [("10.3.8", 10), ("7.59", 7), ("11.0.0-rc1", 11), ("8.9.20", 8)]
)
def test_core_major(core_version, core_major):
    body = shape_a([module_a("token", "8.x-1.15")])
    out = normalised(payloads(payload(1, TASK_1, 1, "a", body, core_version=core_version)))
    assert out["core_major"].to_list() == [core_major]


def test_text_is_kept_as_sent():
    module = module_a("caf\u00e9_tools", "1.0.0", description="D\u00e9j\u00e0 vu \u2014 \U0001f600 \"quoted\"\n")
    module["display_name"] = "Caf\u00e9 \u2603"
    out = normalised(payloads(payload(1, TASK_1, 1, "a", shape_a([module]))))
    assert out.select("display_name", "description").row(0) == (
        "Caf\u00e9 \u2603",
        "D\u00e9j\u00e0 vu \u2014 \U0001f600 \"quoted\"\n",
    )


def test_empty_input_gives_an_empty_typed_frame():
    out = normalised(payloads())
    assert_frame_equal(out, pl.DataFrame(schema=INVENTORY_SCHEMA))


# --- payloads that cannot be normalised --------------------------------------------------


def test_payload_body_errors_is_empty_for_good_payloads():
    frame = payloads(
        payload(1, TASK_1, 1, "a", shape_a([module_a("token", "8.x-1.15")])),
        payload(2, TASK_2, 1, "b", shape_b([module_b("views", "8.x-3.1", enabled="yes")])),
    )
    assert_frame_equal(payload_body_errors(frame), pl.DataFrame(schema=PAYLOAD_ERRORS_SCHEMA))


def test_one_bad_payload_fails_alone():
    good_a = payload(1, TASK_1, 1, "a", shape_a([module_a("token", "8.x-1.15")]))
    good_b = payload(5, TASK_2, 2, "b", shape_b([module_b("views", "8.x-3.1")]))
    bad = [
        payload(2, "bad-json", 1, "a", '{"modules": ['),
        payload(3, "bad-type", 1, "a", shape_a([module_a("token", "8.x-1.15", enabled="yes")])),
        payload(4, "bad-shape", 1, "z", shape_a([module_a("token", "8.x-1.15")])),
        payload(11, "bad-drush", 1, "c", shape_a([module_a("token", "8.x-1.15")])),
        payload(12, "bad-lock", 1, "d", '{"packages": [1, 2'),
        payload(13, "empty-drush", 1, "c", {"php": {"type": "Module", "status": "Not installed"}}),
        payload(6, "no-modules", 2, "b", shape_b([])),
        payload(7, "null-module", 2, "b", shape_b([None])),
        payload(8, "no-name", 2, "b", {"modules": [{"version": "1.0.0", "status": True}]}),
        payload(9, "no-body", 2, "b", None),
        payload(10, "not-an-object", 2, "b", "[1, 2]"),
    ]
    frame = payloads(good_a, *bad, good_b)
    with pytest.raises(pl.exceptions.ComputeError):
        normalised(frame)

    errors = payload_body_errors(frame)
    assert errors.schema == PAYLOAD_ERRORS_SCHEMA
    reasons = dict(zip(errors["task_id"], errors["error"], strict=True))
    assert set(reasons) == {entry["task_id"] for entry in bad}
    assert reasons["bad-json"].startswith("payload body cannot be decoded as shape A: ")
    assert "boolean" in reasons["bad-type"]
    assert reasons["bad-shape"] == "unknown payload shape 'z'"
    assert reasons["bad-drush"].startswith("payload body cannot be decoded as shape C: not a drush pm:list document")
    assert reasons["bad-lock"].startswith("payload body cannot be decoded as shape D: not a composer.lock document")
    assert reasons["empty-drush"] == "payload lists no modules"
    assert reasons["no-modules"] == "payload lists no modules"
    assert reasons["null-module"] == "payload lists a module that is not an object"
    assert reasons["no-name"] == "payload lists a module without machine_name"
    assert reasons["no-body"] == "payload has no body"
    assert reasons["not-an-object"].startswith("payload body cannot be decoded as shape B: ")
    assert errors["landing_id"].to_list() == sorted(errors["landing_id"].to_list())

    # The pipeline's flow: drop the failed payloads, normalise the rest.
    remaining = frame.join(errors, on="landing_id", how="anti")
    assert_frame_equal(
        normalised(remaining),
        expected(row(1, TASK_1, 1, "token", "8.x-1.15"), row(5, TASK_2, 2, "views", "8.x-3.1")),
    )


def test_payload_body_errors_accepts_a_lazy_frame():
    frame = payloads(payload(1, TASK_1, 1, "a", "not json"))
    assert payload_body_errors(frame.lazy())["task_id"].to_list() == [TASK_1]


# --- drush pm:list and composer.lock --------------------------------------------------


def inventory_of(shape: str, body, core_version: str) -> pl.DataFrame:
    frame = payloads(payload(1, TASK_1, 1, shape, body, sync_type="full", core_version=core_version))
    return normalised(frame)


def columns(frame: pl.DataFrame, *names: str) -> dict[str, tuple]:
    return {row[0]: tuple(row[1:]) for row in frame.select("machine_name", *names).iter_rows()}


def test_drush_8_on_drupal_7():
    out = columns(inventory_of("c", document(DRUSH_DRUPAL7), "7.28"), "project", "module_type", "enabled",
                  "version", "display_name")
    assert out["system"] == ("drupal", "core", True, "7.28", "System")
    assert out["bartik"] == ("drupal", "core", True, "7.28", "Bartik")  # themes are inventory too
    assert out["statistics"] == ("drupal", "core", False, "7.28", "Statistics")  # disabled, still installed
    assert {"php", "aggregator", "search_krumo"}.isdisjoint(out)  # `Not installed` is not inventory
    # Drush 8 prints no project: a submodule belongs to the listed module whose name prefixes its own,
    # at the same version.
    assert out["views_ui"] == ("views", "contrib", True, "7.x-3.7", "Views UI")
    assert out["ctools_custom_content"][:1] == ("ctools",) and out["devel_generate"][:1] == ("devel",)
    assert out["rubik"] == ("rubik", "contrib", True, "7.x-4.1", "Rubik")
    assert out["intranet_core"] == ("intranet_core", "custom", True, "", "Intranet core")
    assert out["intranet_theme"][1:4] == ("custom", True, "")
    assert len(out) == 29


def test_drush_12_on_drupal_10():
    frame = inventory_of("c", document(DRUSH_DRUPAL10), "10.2.7")
    out = columns(frame, "project", "module_type", "enabled", "version", "warning")
    assert out["node"] == ("drupal", "core", True, "10.2.7", None)
    assert out["olivero"] == ("drupal", "core", True, "10.2.7", None)
    assert out["forum"][:3] == ("drupal", "core", False)
    assert out["admin_toolbar_tools"] == ("admin_toolbar", "contrib", True, "3.5.0", None)
    assert out["webform_ui"][:2] == ("webform", "contrib")
    # Its package says Core, its path says contrib: the path decides.
    assert out["ckeditor"] == ("ckeditor", "contrib", False, "1.0.2", None)
    # A git clone in modules/contrib: contrib by its path, without a version.
    assert out["pathauto"] == ("pathauto", "contrib", True, "", "pathauto: no version")
    assert out["corporate_blocks"] == ("corporate_blocks", "custom", True, "", "corporate_blocks: no version")
    assert out["corporate_theme"][:2] == ("corporate_theme", "custom")
    assert frame["sync_type"].unique().to_list() == ["full"] and frame["datestamp"].is_null().all()


def test_drush_13_on_drupal_11():
    out = columns(inventory_of("c", document(DRUSH_DRUPAL11), "11.1.1"), "project", "module_type", "enabled",
                  "version", "major", "extra")
    assert out["system"] == ("drupal", "core", True, "11.1.1", 11, None)
    assert out["help"][2] is False
    assert out["search_api_db"] == ("search_api", "contrib", True, "8.x-1.35", 1, None)
    assert out["easy_breadcrumb"] == ("easy_breadcrumb", "contrib", True, "2.0.x-dev", 2, "dev")
    assert out["gin"] == ("gin", "contrib", True, "8.x-3.0-rc14", 3, "rc14")
    assert out["pim_connector"][:2] == ("pim_connector", "contrib")  # in modules/contrib, without a project
    assert out["portal_theme"] == ("portal_theme", "custom", False, "", None, None)


def test_a_drush_submodule_joins_only_a_parent_at_its_own_version():
    body = {
        "system": {"type": "module", "status": "Enabled", "version": "10.3.8", "path": "core/modules/system"},
        "search_api": {"type": "module", "status": "Enabled", "version": "8.x-1.35",
                       "path": "modules/contrib/search_api"},
        "search_api_solr": {"type": "module", "status": "Enabled", "version": "4.3.4",
                            "path": "modules/contrib/search_api_solr"},
        "search_api_solr_admin": {"type": "module", "status": "Enabled", "version": "4.3.4",
                                  "path": "modules/contrib/search_api_solr/modules/search_api_solr_admin"},
    }
    out = columns(inventory_of("c", body, "10.3.8"), "project")
    assert out == {"system": ("drupal",), "search_api": ("search_api",), "search_api_solr": ("search_api_solr",),
                   "search_api_solr_admin": ("search_api_solr",)}


def test_composer_lock():
    frame = inventory_of("d", document(COMPOSER_LOCK), "10.2.7")
    out = columns(frame, "project", "module_type", "enabled", "version", "datestamp")
    assert out == {
        "drupal": ("drupal", "core", True, "10.2.7", None),
        "admin_toolbar": ("admin_toolbar", "contrib", True, "3.5.0", 1723640470),
        "ckeditor": ("ckeditor", "contrib", True, "1.0.2", 1692799800),
        # No extra.drupal: the composer version 3.14.0 is mapped back through its source reference.
        "ctools": ("ctools", "contrib", True, "8.x-3.14", None),
        "metatag": ("metatag", "contrib", True, "2.0.2", 1718820000),
        "token": ("token", "contrib", True, "8.x-1.15", 1722000000),
        "webform": ("webform", "contrib", True, "6.2.2", 1705000000),
        "devel": ("devel", "contrib", True, "5.x-dev", None),  # from packages-dev
    }


def test_composer_lock_core_comes_from_core_recommended_when_core_is_absent():
    lock = document(COMPOSER_LOCK)
    lock["packages"] = [p for p in lock["packages"] if p["name"] != "drupal/core"]
    out = columns(inventory_of("d", lock, "10.2.7"), "project", "module_type", "version")
    assert out["drupal"] == ("drupal", "core", "10.2.7")
    assert len(out) == 8


def test_every_shape_in_one_batch():
    frame = payloads(
        payload(1, TASK_1, 1, "c", document(DRUSH_DRUPAL11), sync_type="full", core_version="11.1.1"),
        payload(2, TASK_2, 2, "d", document(COMPOSER_LOCK), sync_type="full", core_version="10.2.7"),
        payload(3, TASK_3, 3, "a", shape_a([module_a("token", "8.x-1.15"), module_a("pathauto", None)])),
    )
    out = normalised(frame)
    assert out.group_by("landing_id").len().sort("landing_id")["len"].to_list() == [23, 8, 2]
    assert out.filter(pl.col("machine_name") == "pathauto")["version"].to_list() == [""]
    assert out["landing_id"].is_sorted()
