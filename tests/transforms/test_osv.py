"""OSV advisories: the snapshot read whole, its ranges' events against their constraints, and real advisories
flagging exactly the versions they cover."""

import polars as pl
import pytest

from tests.support.osv import SNAPSHOT_ADVISORIES, advisory, snapshot_documents
from transforms import osv
from transforms.advisories import ITEM_FIELD_SEPARATOR, ITEM_FIELDS, known_vulnerabilities
from transforms.composer import composer_key, satisfies


def frames(documents: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    parsed = osv.documents_frame(documents)
    ranges, unreadable = osv.ranges(parsed)
    return osv.advisories(parsed), ranges, unreadable


def advisories_frame(advisories: pl.DataFrame, ranges: pl.DataFrame) -> pl.DataFrame:
    """What the store hands the status step: each range with its advisory's fields."""
    return ranges.join(advisories, on="advisory_id").select(
        pl.lit("current").alias("feed_api"), "package", "project", "constraint_text", "advisory_id", "aliases",
        "url", "summary", pl.col("fixed").alias("fixed_in"), "introduced_key", "fixed_key", "last_affected_key")


def flagged(documents: list[dict], installed: dict[str, list[str]], feed_api: str = "current") -> dict:
    """{(project, version): [advisory ids]} of the installed versions any of `documents` covers."""
    advisories, ranges, _ = frames(documents)
    rows = [(project, version) for project, versions in installed.items() for version in versions]
    frame = pl.DataFrame({"site_module_id": list(range(len(rows))), "project": [p for p, _ in rows],
                          "feed_api": [feed_api] * len(rows), "version": [v for _, v in rows]})
    found = known_vulnerabilities(frame, advisories_frame(advisories, ranges))
    return {rows[row["site_module_id"]]: sorted(item.split(ITEM_FIELD_SEPARATOR)[0] for item in row["advisories"])
            for row in found.iter_rows(named=True)}


def test_the_snapshot_reads_whole():
    advisories, ranges, unreadable = frames(snapshot_documents())
    assert advisories.height == SNAPSHOT_ADVISORIES and advisories["advisory_id"].n_unique() == SNAPSHOT_ADVISORIES
    assert unreadable == 0 and ranges.height == 856
    assert ranges.filter(pl.col("project") == "drupal")["package"].unique().to_list() == ["drupal/core"]
    assert advisories.filter(pl.col("url").is_null() | (pl.col("summary") == "")).is_empty()
    assert advisories.filter(pl.col("summary").str.contains("\n")).is_empty()


def boundary_versions(ranges: pl.DataFrame) -> pl.DataFrame:
    """Per range, versions on and around each of its bounds: the bound, the next and previous patch, minor
    and major, and the very first version."""
    bounds = ranges.select("advisory_id", "range_index", "project", "constraint_text",
                           pl.concat_list("introduced", "fixed", "last_affected").alias("bound")).explode("bound")
    parts = pl.col("bound").str.extract_groups(r"^(?P<x>\d+)\.(?P<y>\d+)\.(?P<z>\d+)")
    x, y, z = (parts.struct.field(name).cast(pl.Int64) for name in ("x", "y", "z"))

    def version(major, minor, patch) -> pl.Expr:
        return pl.format("{}.{}.{}", major, minor, patch)

    near = pl.concat_list(
        pl.col("bound"), version(x, y, z + 1), version(x, y, z - 1), version(x, y + 1, 0), version(x, y - 1, 99),
        version(x + 1, 0, 0), version(x - 1, 99, 99), pl.lit("0.0.1"))
    return (bounds.filter(pl.col("bound").is_not_null() & (pl.col("bound") != "0"))
            .with_columns(near.alias("version")).explode("version")
            .filter(~pl.col("version").str.contains("-1"))  # no negative parts
            .unique(["advisory_id", "range_index", "version"]))


def test_events_and_constraint_agree_on_every_range_of_the_snapshot():
    advisories, ranges, _ = frames(snapshot_documents())
    # Each range on its own: the project is made unique per range, so a match names that range only.
    ranges = ranges.with_columns(pl.format("{}#{}", "advisory_id", "range_index").alias("project"))
    versions = boundary_versions(ranges).with_row_index("site_module_id").with_columns(
        pl.col("site_module_id").cast(pl.Int64), pl.lit("current").alias("feed_api"))
    by_events = set(known_vulnerabilities(versions, advisories_frame(advisories, ranges))["site_module_id"])
    disagreements = [
        (row["advisory_id"], row["constraint_text"], row["version"], row["site_module_id"] in by_events)
        for row in versions.iter_rows(named=True)
        if satisfies(row["version"], osv.explicit_constraint(row["constraint_text"]))
        != (row["site_module_id"] in by_events)
    ]
    assert versions.height > 5000 and ranges["constraint_text"].n_unique() > 300
    assert disagreements == []


def test_a_wildcard_constraint_is_the_minor_it_names():
    assert osv.explicit_constraint("11.2.*") == ">=11.2.0-dev <11.3.0-dev"
    assert satisfies("11.2.9", osv.explicit_constraint("11.2.*"))
    assert not satisfies("11.3.0", osv.explicit_constraint("11.2.*"))
    assert not satisfies("11.1.99", osv.explicit_constraint("11.2.*"))
    assert osv.explicit_constraint(">=1.0 <1.6") == ">=1.0 <1.6"


@pytest.mark.parametrize(("version", "affected"), [
    ("10.6.12", True), ("10.6.13", False),  # <10.6.13: last vulnerable, first fixed
    ("9.5.11", True), ("8.9.20", True),  # introduced 0: every earlier release
    ("11.0.0", True), ("11.1.9", True), ("11.2.10", True),  # 11.0.* 11.1.* 11.2.*
    ("11.3.0", True), ("11.3.13", True), ("11.3.14", False),
    ("11.4.0", True), ("11.4.3", True), ("11.4.4", False),
    ("11.5.0", False),
])
def test_a_core_advisory_with_several_ranges_flags_exactly_its_versions(version, affected):
    found = flagged([advisory("DRUPAL-CORE-2026-012")], {"drupal": [version]})
    assert found == ({("drupal", version): ["DRUPAL-CORE-2026-012"]} if affected else {})


def test_a_contrib_advisory_introduced_at_0_in_drupal_version_strings():
    versions = ["8.x-1.0", "8.x-2.4", "8.x-2.5", "8.x-2.5-rc1", "3.0.0", "3.0.1", "3.0.2", "3.0.0-beta1",
                "3.x-dev", "8.x-2.x-dev", "not a version"]
    found = flagged([advisory("DRUPAL-CONTRIB-2021-025")], {"admin_toolbar": versions})
    assert sorted(version for _, version in found) == ["3.0.0", "3.0.1", "8.x-1.0", "8.x-2.4", "8.x-2.5-rc1"]
    # Another project's versions are not its business.
    assert flagged([advisory("DRUPAL-CONTRIB-2021-025")], {"admin_toolbar_extra": ["8.x-2.4"]}) == {}


def test_osv_advisories_are_for_drupal_8_and_later_sites_only():
    assert flagged([advisory("DRUPAL-CORE-2026-012")], {"drupal": ["7.100"]}, feed_api="7.x") == {}


def test_an_item_carries_the_advisory_its_cve_and_the_range_that_matched():
    advisories, ranges, _ = frames([advisory("DRUPAL-CORE-2026-012")])
    installed = pl.DataFrame({"site_module_id": [1], "project": ["drupal"], "feed_api": ["current"],
                              "version": ["11.3.5"]})
    (row,) = known_vulnerabilities(installed, advisories_frame(advisories, ranges)).iter_rows(named=True)
    (item,) = row["advisories"]
    fields = dict(zip(ITEM_FIELDS, item.split(ITEM_FIELD_SEPARATOR), strict=True))
    assert fields["id"] == "DRUPAL-CORE-2026-012" and fields["aliases"] == "CVE-2026-55805"
    assert fields["url"] == "https://www.drupal.org/sa-core-2026-012"
    assert fields["fixed_in"] == "11.3.14" and fields["constraint"] == ">=11.3.0 <11.3.14"
    assert fields["summary"].startswith("The Layout Builder module doesn't sufficiently sanitize block labels")
    assert row["known_vulnerable"]


def test_an_unorderable_range_is_left_out_and_counted():
    document = advisory("DRUPAL-CORE-2026-012")
    document["affected"][0]["ranges"][0]["events"][1] = {"fixed": "soon"}
    document["affected"].append({"package": {"ecosystem": "npm", "name": "left-pad"}, "ranges": []})
    advisories, ranges, unreadable = frames([document])
    assert unreadable == 1 and ranges.height == 5 and 0 not in ranges["range_index"].to_list()
    assert advisories.height == 1


def test_a_long_first_sentence_is_cut_to_one_line():
    document = advisory("DRUPAL-CORE-2026-012") | {"details": "word " * 200}
    (summary,) = osv.advisories(osv.documents_frame([document]))["summary"]
    assert len(summary) == osv.SUMMARY_LENGTH and summary.endswith("…")


def test_composer_keys_order_the_bounds_as_composer_does():
    assert composer_key("2.0.0-beta3") < composer_key("2.0.0") < composer_key("2.0.1")
