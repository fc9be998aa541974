"""Known vulnerabilities: installed versions against the advisories' composer constraints."""

import polars as pl

from transforms.advisories import advisories_feed_api, known_vulnerabilities


def test_known_vulnerabilities_keep_the_matching_clause_not_the_whole_constraint():
    installed = pl.DataFrame({"site_module_id": [1, 2, 3], "project": ["drupal", "drupal", "token"],
                              "feed_api": ["current"] * 3, "version": ["10.2.3", "10.4.1", "8.x-1.4"]})
    advisories = pl.DataFrame({
        "feed_api": ["current", "current"], "package": ["drupal/core", "drupal/token"],
        "project": ["drupal", "token"],
        "constraint_text": [">=8.0,<9.5.11|>=10.0,<10.2.5|>=10.3,<10.3.1", "<1.5"]})
    found = {row["site_module_id"]: row["advisories"]
             for row in known_vulnerabilities(installed, advisories).iter_rows(named=True)}
    # 10.4.1 is in no range; 10.2.3 names only the range it falls in.
    assert found == {1: [">=10.0,<10.2.5"], 3: ["<1.5"]}


def test_a_7x_metapackage_is_told_from_a_modern_one():
    assert advisories_feed_api({"drupal/core": ">=7.0,<7.101|>=7.102,<7.103"}) == "7.x"
    assert advisories_feed_api({"drupal/core": ">=8.0,<9.5.11|>=10.0,<10.2.5"}) == "current"
