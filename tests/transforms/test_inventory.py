"""Both payload shapes -> one typed inventory frame (transforms.inventory)."""

import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

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
        payload(4, "bad-shape", 1, "c", shape_a([module_a("token", "8.x-1.15")])),
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
    assert reasons["bad-shape"] == "unknown payload shape 'c'"
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
