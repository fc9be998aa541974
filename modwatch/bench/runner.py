"""Run every benchmark phase against a database of its own and gather one JSON object.

Phases, in order:
1. generate the population: catalog, release feeds, advisories, inventories;
2. intake: 1000-module payloads from concurrent clients, then 2000-module
   requests one at a time for the memory figure (intake alone, no daemon, so
   nothing else competes for the two cores);
3. merge: `modwatch process` runs the real ingest job over everything landed;
   then the baseline: the first sites' first two rounds synced the way the
   original product documents designed it (row-by-row ORM get-or-create, a
   commit per row), in a schema of its own, for the ratio of the two;
4. scale: a portfolio COPYed in, release data stored, every status
   recomputed, then the report queries over HTTP;
5. end to end: the intake with the real Dagster daemon; payloads posted a few
   seconds apart, each timed until its task reads `completed`.
"""

import os
import platform
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import dagster as dg
import polars as pl
import psycopg

from foundation.database import drop_database, ensure_database, resolve_database_url
from foundation.settings import Settings
from modwatch.bench import phases, stack
from modwatch.bench.baseline import sync_rounds
from modwatch.bench.catalog import generate_catalog, write_advisories, write_feeds, write_osv_advisories
from modwatch.bench.inventories import core_version_of, drift, generate_inventories, payload, site_sizes
from modwatch.bench.scale import load_portfolio, load_release_data
from modwatch.runtime import write_dagster_home
from orchestration.pipeline.advisories import load_advisories, load_osv
from sql import connection, scale
from sql.migrate import upgrade

BENCH_DATABASE = "modwatch_bench"
TARGETS = {
    "intake_p50_ms": 10, "intake_p99_ms": 50, "intake_payloads_per_second": 300,
    "merge_rows_per_second": 250_000, "merge_vs_baseline": 500, "end_to_end_p95_seconds": 10,
    "status_recompute_3m_seconds": 20, "status_recompute_3m_nothing_to_write_seconds": 20, "query_p95_ms": 20,
}


@dataclass(frozen=True)
class BenchOptions:
    sites: int = 40               # intake sites, 1000 modules each
    rounds: int = 5               # payloads per intake site (later rounds drift 3 %)
    concurrency: int = 8          # intake clients
    large_payloads: int = 20      # 2000-module requests for the memory figure
    e2e_payloads: int = 8         # end-to-end samples
    e2e_spacing: float = 5.0      # mean seconds between end-to-end posts (one per sensor interval)
    scale_sites: int = 2000       # sites COPYed in for the scale figures
    scale_modules: int = 300      # modules per scale site
    query_requests: int = 200     # GETs per report query
    projects: int = 2000          # contrib projects in the catalog
    baseline_sites: int = 1       # intake sites (two rounds each) synced the seed design's way
    seed: int = 7
    database: str = BENCH_DATABASE  # created on the platform's server, dropped afterwards
    keep: bool = False            # keep the benchmark database afterwards


@contextmanager
def bench_database(options: BenchOptions, *, fresh: bool = True) -> Iterator[tuple[Settings, str, Path]]:
    """The benchmark's database on the platform's server, migrated (emptied first when `fresh`), and a
    scratch folder; both gone afterwards unless `options.keep`."""
    settings = Settings()
    server_url, server = resolve_database_url(settings.database_url, settings.home)
    if fresh:
        drop_database(server_url, options.database)
    database_url = ensure_database(server_url, options.database)
    workdir = Path(tempfile.mkdtemp(prefix="modwatch-bench-"))
    try:
        upgrade(database_url)
        yield settings, database_url, workdir
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if not options.keep:
            drop_database(server_url, options.database)
        del server


def run_bench(options: BenchOptions, progress) -> dict:
    started = time.perf_counter()
    with bench_database(options) as (settings, database_url, workdir):
        return _run(options, settings, database_url, workdir, progress) | {
            "seconds": round(time.perf_counter() - started, 1)}


def _environment(settings: Settings, database_url: str, workdir: Path, feeds: Path, advisories: Path,
                 osv: Path, admin_token: str) -> dict[str, str]:
    dagster_home = workdir / "dagster"
    write_dagster_home(dagster_home)
    environment = dict(os.environ)
    environment.update(
        MODWATCH_DATABASE_URL=database_url,
        MODWATCH_HOME=str(workdir / "home"),
        MODWATCH_ADMIN_TOKEN=admin_token,
        DAGSTER_HOME=str(dagster_home),
        MODWATCH_RELEASE_FEED_URL=feeds.as_uri(),
        MODWATCH_ADVISORIES_URL=str(advisories),
        MODWATCH_OSV_URL=str(osv),
        MODWATCH_RATE_LIMIT_PER_HOUR="1000000",
        MODWATCH_SENSOR_INTERVAL_SECONDS=str(settings.sensor_interval_seconds),
    )
    return environment


def _run(options: BenchOptions, settings: Settings, database_url: str, workdir: Path, progress) -> dict:
    admin_token = secrets.token_urlsafe(32)
    step = progress.phase("generating the population", 4)
    catalog = generate_catalog(options.projects, seed=options.seed)
    step()
    feeds = write_feeds(catalog, workdir / "feeds")
    advisories = write_advisories(catalog, workdir / "advisories.json", seed=options.seed)
    osv = write_osv_advisories(catalog, workdir / "osv", seed=options.seed)
    step()
    environment = _environment(settings, database_url, workdir, feeds, advisories, osv, admin_token)
    os.environ.update(environment)  # this process reads the same settings as its children
    intake_rows = generate_inventories(catalog, [1000] * options.sites, seed=options.seed)
    large_rows = generate_inventories(catalog, [2000] * options.large_payloads, seed=options.seed + 1)
    step()
    with psycopg.connect(database_url, autocommit=True) as conn:
        load_advisories(conn, str(advisories))
        load_osv(conn, str(osv))
    step()

    workspace = str(Path(__file__).resolve().parents[2] / "workspace.yaml")
    with stack.running(environment, workspace=workspace, daemon=False, log=workdir / "services.log") as intake:
        sites = phases.register_sites(intake, admin_token, options.sites, "intake")
        posts = [post for round_number in range(options.rounds) for post in phases.frame_posts(
            sites, drift(intake_rows, catalog, 0.03 * round_number, seed=round_number), _payload_of)]
        tick = progress.phase("intake: 1000-module payloads", len(posts))
        intake_figures = phases.intake_throughput(intake, posts, options.concurrency, tick)
        large_sites = phases.register_sites(intake, admin_token, options.large_payloads, "large")
        large = phases.frame_posts(large_sites, large_rows, _payload_of)
        intake_figures |= phases.intake_memory(intake, large, progress.phase("intake: 2000-module payloads",
                                                                              len(large)))

        step = progress.phase("merge: modwatch process", 1)
        processed = phases.process_pending(environment)
        step()
        with dg.DagsterInstance.get() as instance:
            merge = phases.merge_figures(instance, processed["runs"]) | {
                "runs": len(processed["runs"]), "run_peak_rss_mb": processed["peak_rss_mb"]}
        baseline = _baseline(options, database_url, intake_rows, catalog, progress)
        merge |= {"baseline_rows_per_s": baseline["rows_per_second"],
                  "merge_vs_baseline": _ratio(merge["rows_per_second"], baseline["rows_per_second"])}

        step = progress.phase("scale: loading the portfolio", 3)
        scale_rows = generate_inventories(catalog, [options.scale_modules] * options.scale_sites,
                                          seed=options.seed + 2)
        step()
        with connection.connect(database_url, autocommit=True) as conn:
            loaded = load_portfolio(conn, scale_rows, label="scale")
            step()
            loaded |= load_release_data(conn, feeds.as_uri())
            scale_site_ids = scale.site_ids(conn, label="scale")
        step()
        step = progress.phase("scale: recomputing every status", 1)
        recompute = phases.status_recompute(database_url)
        step()
        queries = phases.query_latency(intake, admin_token, scale_site_ids, options.query_requests,
                                       progress.phase("scale: report queries", 7 * options.query_requests))

    with stack.running(environment, workspace=workspace, daemon=True, log=workdir / "services.log") as intake:
        warm_up = phases.frame_posts(sites[:1], drift(intake_rows.filter(pl.col("site") == 0), catalog, 0.5,
                                                      seed=99), _payload_of)
        phases.end_to_end(intake, warm_up, 0, 180, progress.phase("end to end: first run (warm-up)", 1))
        # Sites as a portfolio has them: 200-1500 modules, log-normal.
        e2e_sites = phases.register_sites(intake, admin_token, options.e2e_payloads, "e2e")
        e2e_rows = generate_inventories(
            catalog, site_sizes(options.e2e_payloads, smallest=200, largest=1500, seed=options.seed),
            seed=options.seed + 3)
        e2e_posts = phases.frame_posts(e2e_sites, e2e_rows, _payload_of)
        end_to_end = phases.end_to_end(intake, e2e_posts, options.e2e_spacing, 120,
                                       progress.phase("end to end: POST → completed", len(e2e_posts)))

    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "postgres": _server_version(database_url)},
        "options": asdict(options),
        "intake": {"payload_modules": 1000, **intake_figures},
        "merge": merge,
        "baseline": baseline,
        "end_to_end": {"sensor_interval_seconds": settings.sensor_interval_seconds, **end_to_end},
        "status_recompute": recompute,
        "queries": {"sites": loaded["sites"], "site_module_rows": recompute["site_modules"], **queries},
        "scale_load": loaded,
        "targets": _targets(intake_figures, merge, end_to_end, recompute, queries),
        "phase_seconds": progress.seconds(),
    }


def _baseline(options: BenchOptions, database_url: str, intake_rows: pl.DataFrame, catalog, progress) -> dict:
    """The seed design on the same inventories the merge took: the first sites' first two rounds."""
    sites = max(1, min(options.baseline_sites, options.sites))
    first = intake_rows.filter(pl.col("site") < sites)
    rounds = [drift(first, catalog, 0.03 * round_number, seed=round_number)
              for round_number in range(min(2, options.rounds))]
    tick = progress.phase("baseline: seed design, row by row", sites * len(rounds))
    return {"sites": sites, **sync_rounds(database_url, rounds, tick)}


def _ratio(ours: float | None, theirs: float | None) -> float | None:
    return round(ours / theirs, 1) if ours and theirs else None


def _payload_of(rows: pl.DataFrame, site, index: int) -> dict:
    # Both generations of clients exist: alternate the payload shape by site.
    return payload(rows, shape="a" if index % 2 else "b", url=site.url, core_version=core_version_of(rows))


def _server_version(database_url: str) -> str:
    with connection.connect(database_url) as conn:
        return scale.server_version(conn)


def _targets(intake: dict, merge: dict, end_to_end: dict, recompute: dict, queries: dict) -> dict:
    """Each figure beside its target, and whether it met it. Status times are scaled linearly to
    3M site modules: writing every row (a first computation) and writing none (the daily
    reconciliation of a settled portfolio)."""
    per_3m = 3_000_000 / max(1, recompute["site_modules"])
    figures = {
        "intake_p50_ms": (intake["p50_ms"], "<="),
        "intake_p99_ms": (intake["p99_ms"], "<="),
        "intake_payloads_per_second": (intake["payloads_per_second"], ">="),
        "merge_rows_per_second": (merge["rows_per_second"] or 0, ">="),
        "merge_vs_baseline": (merge["merge_vs_baseline"] or 0, ">="),
        "end_to_end_p95_seconds": (end_to_end["p95_seconds"], "<="),
        "status_recompute_3m_seconds": (round(recompute["seconds"] * per_3m, 1), "<="),
        "status_recompute_3m_nothing_to_write_seconds": (round(recompute["unchanged_seconds"] * per_3m, 1), "<="),
        "query_p95_ms": (max(queries["reports_security"]["p95_ms"], queries["site_modules"]["p95_ms"]), "<="),
    }
    return {name: {"value": value, "target": TARGETS[name],
                   "met": value <= TARGETS[name] if sense == "<=" else value >= TARGETS[name]}
            for name, (value, sense) in figures.items()}


def run_status_only(options: BenchOptions, *, reuse: bool = False) -> dict:
    """Only the status figures at scale: a portfolio of `scale_sites` x `scale_modules` loaded with its
    release data and advisories, then every status recomputed twice (every row written, then none).
    With `reuse`, a database kept by an earlier run (`keep`) has its statuses set back to NOT_CHECKED
    instead of being loaded again, so the same figure can be measured back to back."""
    started = time.perf_counter()
    with bench_database(options, fresh=not reuse) as (_, database_url, workdir):
        if reuse:
            with connection.connect(database_url, autocommit=True) as conn:
                scale.reset_statuses(conn)
                loaded = {"sites": len(scale.site_ids(conn, label="scale")), "reused": True}
        else:
            loaded = _load_scale(options, database_url, workdir)
        recompute = phases.status_recompute(database_url)
        return {"options": asdict(options), "scale_load": loaded, "status_recompute": recompute,
                "status_recompute_3m_seconds": round(recompute["seconds"] * 3_000_000
                                                     / max(1, recompute["site_modules"]), 1),
                "seconds": round(time.perf_counter() - started, 1)}


def _load_scale(options: BenchOptions, database_url: str, workdir: Path) -> dict:
    catalog = generate_catalog(options.projects, seed=options.seed)
    feeds = write_feeds(catalog, workdir / "feeds")
    advisories = write_advisories(catalog, workdir / "advisories.json", seed=options.seed)
    osv = write_osv_advisories(catalog, workdir / "osv", seed=options.seed)
    rows = generate_inventories(catalog, [options.scale_modules] * options.scale_sites, seed=options.seed + 2)
    with connection.connect(database_url, autocommit=True) as conn:
        load_advisories(conn, str(advisories))
        load_osv(conn, str(osv))
        loaded = load_portfolio(conn, rows, label="scale")
        loaded |= load_release_data(conn, feeds.as_uri())
    return loaded
