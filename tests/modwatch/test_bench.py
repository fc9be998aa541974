"""`modwatch bench` at a tiny size: the real stack runs and the JSON holds every figure."""

import json
import os
import subprocess
import sys
import uuid

import polars as pl
import psycopg
import pytest

from modwatch.bench.baseline import sync_rounds
from modwatch.bench.catalog import generate_catalog
from modwatch.bench.inventories import drift, generate_inventories, site_sizes

TINY = ["--sites", "3", "--rounds", "2", "--large-payloads", "2", "--e2e-payloads", "2", "--e2e-spacing", "1",
        "--scale-sites", "12", "--query-requests", "5", "--projects", "60", "--no-progress"]
PERCENTILES = {"p50_ms", "p95_ms", "p99_ms"}


@pytest.fixture(scope="module")
def figures(database_server, tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("bench-home")
    environment = {**os.environ, "MODWATCH_DATABASE_URL": database_server, "MODWATCH_HOME": str(home),
                   "MODWATCH_SENSOR_INTERVAL_SECONDS": "1"}
    database = f"modwatch_bench_{uuid.uuid4().hex[:8]}"
    done = subprocess.run([sys.executable, "-m", "modwatch.cli", "bench", *TINY, "--database", database],
                          env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_every_figure_is_reported(figures):
    intake = figures["intake"]
    assert intake["payload_modules"] == 1000 and intake["payloads"] == 3 * 2
    assert intake.keys() >= PERCENTILES and intake["payloads_per_second"] > 0
    assert intake["under_load"].keys() >= PERCENTILES
    assert intake["peak_rss_mb"] > 0 and "rss_growth_2000_module_requests_mb" in intake
    merge = figures["merge"]
    # Every landed module row went through the real merge: 3 sites x 2 rounds x 1000, plus 2 x 2000.
    assert merge["rows"] == 3 * 2 * 1000 + 2 * 2000
    assert merge["rows_per_second"] > 0 and merge["run_peak_rss_mb"] > 0
    assert merge["created"] > 0 and merge["unchanged"] > 0
    # The seed design synced the first site's 2 rounds, row by row, beside it.
    baseline = figures["baseline"]
    assert baseline["sites"] == 1 and baseline["payloads"] == 2 and baseline["rows"] == 2 * 1000
    assert baseline["errors"] == 0 and baseline["created"] == 1000 and baseline["tables"]["site_modules"] == 1000
    assert baseline["commits_per_row"] >= 1 and baseline["statements_per_row"] > baseline["commits_per_row"]
    assert merge["baseline_rows_per_s"] == baseline["rows_per_second"] > 0
    assert merge["merge_vs_baseline"] == round(merge["rows_per_second"] / baseline["rows_per_second"], 1)
    end_to_end = figures["end_to_end"]
    assert end_to_end["payloads"] == 2 and end_to_end["failed"] == 0
    assert 0 < end_to_end["p50_seconds"] <= end_to_end["p95_seconds"]
    recompute = figures["status_recompute"]
    assert recompute["site_modules"] > 12 * 250 and recompute["rows_changed_again"] == 0
    assert {"CURRENT", "NOT_SECURE", "UNKNOWN"} <= recompute["statuses"].keys()
    for query in ("reports_security", "site_modules", "site_modules_insecure", "site", "site_history", "sites_page",
                  "modules_page"):
        assert figures["queries"][query].keys() >= PERCENTILES
    assert set(figures["targets"]) == {
        "intake_p50_ms", "intake_p99_ms", "intake_payloads_per_second", "merge_rows_per_second", "merge_vs_baseline",
        "end_to_end_p95_seconds", "status_recompute_3m_seconds", "status_recompute_3m_nothing_to_write_seconds",
        "query_p95_ms"}
    assert all(isinstance(target["met"], bool) for target in figures["targets"].values())


def test_sites_are_sized_and_skewed_like_a_portfolio():
    catalog = generate_catalog(2000, seed=3)
    sizes = site_sizes(40, smallest=200, largest=1500, seed=3)
    inventory = generate_inventories(catalog, sizes, seed=3)
    per_site = inventory.group_by("site").len().sort("site")["len"].to_list()
    assert per_site == sizes and min(per_site) >= 200 and max(per_site) <= 1500
    assert inventory.unique(["site", "machine_name"]).height == inventory.height
    contrib = inventory.filter(pl.col("module_type") == "contrib")
    spread = contrib.group_by("project").agg(pl.col("site").n_unique().alias("sites"))
    # A few projects are on (nearly) every site, most on few.
    assert spread["sites"].max() >= 36 and spread["sites"].median() <= 10
    customs = inventory.filter(pl.col("module_type") == "custom")
    assert customs.group_by("machine_name").len()["len"].max() == 1
    assert inventory.filter(pl.col("module_type") == "core")["project"].unique().to_list() == ["drupal"]
    assert contrib["version"].str.ends_with("-dev").any() and contrib["datestamp"].is_not_null().any()


def test_the_same_seed_gives_the_same_population():
    first = generate_inventories(generate_catalog(50, seed=5), [250, 300], seed=5)
    again = generate_inventories(generate_catalog(50, seed=5), [250, 300], seed=5)
    assert first.equals(again)


def test_the_seed_design_syncs_row_by_row_and_reports_what_it_did(empty_database_url):
    catalog = generate_catalog(60, seed=5)
    first = generate_inventories(catalog, [250, 300], seed=5)
    second = drift(first, catalog, 0.3, seed=1)
    done = sync_rounds(empty_database_url, [first, second])
    changed = first.join(second, on=["site", "machine_name"]).filter(pl.col("version") != pl.col("version_right"))
    assert done["payloads"] == 4 and done["rows"] == 2 * 550 and done["errors"] == 0
    assert done["created"] == 550 and done["version_changed"] == changed.height > 0
    assert done["tables"] == {
        "sites": 2, "modules": first["machine_name"].n_unique(), "site_modules": 550,
        "module_versions": pl.concat([first, second]).select("machine_name", "version").unique().height}
    assert done["rows_per_second"] > 0
    # Row by row: a commit for every site module written, several statements around each.
    assert done["commits_per_row"] >= 1 and done["statements_per_row"] >= 3


def test_the_status_phase_runs_alone_and_again_on_the_same_portfolio(database_server, tmp_path):
    environment = {**os.environ, "MODWATCH_DATABASE_URL": database_server, "MODWATCH_HOME": str(tmp_path)}
    database = f"modwatch_bench_{uuid.uuid4().hex[:8]}"
    only = [sys.executable, "-m", "modwatch.cli", "bench", "--only", "status", "--scale-sites", "10",
            "--scale-modules", "50", "--projects", "40", "--database", database]
    runs = [subprocess.run([*only, *extra], env=environment, capture_output=True, text=True, timeout=600)
            for extra in (["--keep"], ["--reuse"])]
    for done in runs:
        assert done.returncode == 0, done.stderr[-3000:]
    first, again = (json.loads(done.stdout) for done in runs)
    assert first["scale_load"]["sites"] == again["scale_load"]["sites"] == 10 and again["scale_load"]["reused"]
    for figures in (first, again):
        recompute = figures["status_recompute"]
        # Every project written once (all NOT_CHECKED), then nothing.
        assert recompute["rows_changed"] == recompute["site_projects"] > 10 and recompute["rows_changed_again"] == 0
        assert recompute["seconds"] > 0 and figures["status_recompute_3m_seconds"] > 0
    assert first["status_recompute"]["statuses"] == again["status_recompute"]["statuses"]
    # A reused portfolio is kept for the next time.
    with psycopg.connect(database_server, autocommit=True) as conn:
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is not None
        conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
