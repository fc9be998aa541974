"""One function per benchmark figure. Each measures the real thing and returns plain numbers."""

import asyncio
import http.client
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import dagster as dg
import httpx
import polars as pl

from modwatch.bench.stack import Intake, peak_rss_mb
from orchestration.pipeline.recompute import refresh_status
from sql import connection, scale


@dataclass(frozen=True)
class BenchSite:
    id: int
    token: str
    url: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def millis(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 0.5) * 1000, 2), "p95_ms": round(percentile(values, 0.95) * 1000, 2),
            "p99_ms": round(percentile(values, 0.99) * 1000, 2)}


def register_sites(intake: Intake, admin_token: str, count: int, label: str) -> list[BenchSite]:
    sites = []
    with httpx.Client(base_url=intake.base_url, headers={"Authorization": f"Bearer {admin_token}"}) as client:
        for n in range(count):
            url = f"https://{label}-{n}.bench.example"
            answer = client.post("/api/v1/sites", json={"name": f"{label} {n}", "url": url})
            answer.raise_for_status()
            sites.append(BenchSite(answer.json()["id"], answer.json()["token"], url))
    return sites


async def _post_all(base_url: str, posts: list[tuple[BenchSite, bytes]], concurrency: int,
                    tick) -> tuple[list[float], float]:
    queue: asyncio.Queue = asyncio.Queue()
    for post in posts:
        queue.put_nowait(post)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            site, body = queue.get_nowait()
            started = time.perf_counter()
            answer = await client.post(f"/api/v1/sites/{site.id}/modules", content=body, headers=site.headers)
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 202:
                raise RuntimeError(f"intake refused a benchmark payload: {answer.status_code} {answer.text[:300]}")
            tick()

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
        return latencies, time.perf_counter() - started


def _post_one_at_a_time(base_url: str, posts: list[tuple[BenchSite, bytes]], tick) -> list[float]:
    """Sequential POSTs on one kept-alive connection of the standard library's client: it adds
    a fraction of the milliseconds an async client does, so the figure is the service's."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    latencies = []
    try:
        for site, body in posts:
            started = time.perf_counter()
            connection.request("POST", f"/api/v1/sites/{site.id}/modules", body=body, headers=site.headers)
            answer = connection.getresponse()
            text = answer.read()
            latencies.append(time.perf_counter() - started)
            if answer.status != 202:
                raise RuntimeError(f"intake refused a benchmark payload: {answer.status} {text[:300]!r}")
            tick()
    finally:
        connection.close()
    return latencies


def intake_throughput(intake: Intake, posts: list[tuple[BenchSite, bytes]], concurrency: int, tick) -> dict:
    """Half the payloads one at a time (the latency a pushing site sees), half from `concurrency`
    clients at once (how many payloads per second one intake process lands)."""
    half = len(posts) // 2
    latencies = _post_one_at_a_time(intake.base_url, posts[:half], tick)
    loaded, wall = asyncio.run(_post_all(intake.base_url, posts[half:], concurrency, tick))
    return {"payloads": len(posts), **millis(latencies), "concurrency": concurrency,
            "payloads_per_second": round((len(posts) - half) / wall, 1),
            "under_load": millis(loaded)}


def intake_memory(intake: Intake, posts: list[tuple[BenchSite, bytes]], tick) -> dict:
    """Peak RSS before and after a series of 2000-module requests, posted one at a time."""
    before = intake.peak_rss_mb()
    _post_one_at_a_time(intake.base_url, posts, tick)
    after = intake.peak_rss_mb()
    return {"peak_rss_mb": round(after, 1), "rss_growth_2000_module_requests_mb": round(after - before, 1)}


def process_pending(environment: dict[str, str]) -> dict:
    """`modwatch process` as its own process: the real ingest job until nothing is pending."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-m", "modwatch.cli", "process", "--json"],
                                 env=environment, stdout=out, stderr=err)
        # Reap it ourselves: wait4 also returns the child's own peak memory.
        _, exit_status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(exit_status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            raise RuntimeError(f"modwatch process failed: {err.read().decode()[-2000:]}")
        runs = json.loads(out.read())
    return {"runs": [run["run_id"] for run in runs], "seconds": time.perf_counter() - started,
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def merge_figures(instance: dg.DagsterInstance, run_ids: list[str]) -> dict:
    """Rows and seconds of every `site_modules` merge step, from the runs' own metadata."""
    rows = seconds = 0.0
    outcomes: dict[str, int] = {}
    for run_id in run_ids:
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
            materialization = entry.asset_materialization
            if materialization.asset_key != dg.AssetKey("site_modules"):
                continue
            metadata = {key: value.value for key, value in materialization.metadata.items()}
            rows += metadata.get("rows", 0)
            seconds += metadata.get("merge_seconds", 0.0)
            for outcome in ("created", "updated", "unchanged", "removed"):
                outcomes[outcome] = outcomes.get(outcome, 0) + int(metadata.get(outcome, 0))
    return {"rows": int(rows), "merge_seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds) if seconds else None, **outcomes}


def end_to_end(intake: Intake, posts: list[tuple[BenchSite, bytes]], spacing_seconds: float,
               timeout_seconds: float, tick) -> dict:
    """POST payloads about `spacing_seconds` apart and time each until its task reads `completed`. Each gap
    is drawn between half and one and a half times `spacing_seconds`: the daemon looks at its sensors every
    5 s, and gaps of a multiple of that would post each payload at the same moment of that loop, so that
    every sample waited the same share of it."""
    rng = random.Random(11)
    pending: dict[str, tuple[BenchSite, float]] = {}
    latencies: list[float] = []
    failures: list[str] = []
    with httpx.Client(base_url=intake.base_url, timeout=30) as client:
        next_post = time.monotonic()
        queue = list(posts)
        deadline = time.monotonic() + timeout_seconds + spacing_seconds * len(posts)
        while (queue or pending) and time.monotonic() < deadline:
            if queue and time.monotonic() >= next_post:
                site, body = queue.pop(0)
                answer = client.post(f"/api/v1/sites/{site.id}/modules", content=body, headers=site.headers)
                answer.raise_for_status()
                pending[answer.json()["task_id"]] = (site, time.monotonic())
                next_post += spacing_seconds * rng.uniform(0.5, 1.5)
            for task_id, (site, posted) in list(pending.items()):
                state = client.get(f"/api/v1/tasks/{task_id}/status", headers=site.headers).json()
                if state["status"] in ("completed", "failed"):
                    latencies.append(time.monotonic() - posted)
                    if state["status"] == "failed":
                        failures.append(state.get("error") or "failed")
                    del pending[task_id]
                    tick()
            time.sleep(0.2)
    if pending or not latencies:
        raise RuntimeError(f"{len(pending)} benchmark payloads were not processed within {timeout_seconds:.0f} s; "
                           "is the Dagster daemon running?")
    return {"payloads": len(latencies), "failed": len(failures),
            "p50_seconds": round(percentile(latencies, 0.5), 2),
            "p95_seconds": round(percentile(latencies, 0.95), 2),
            "max_seconds": round(max(latencies), 2)}


def status_recompute(database_url: str) -> dict:
    """Recompute every status from scratch, twice: first writing every site project (all NOT_CHECKED, as
    after a rule change), then nothing. In a process of its own, as a Dagster run computes them: not in this
    one, which holds the generated portfolio and whatever threads the phases before left running."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as apart:
        return apart.submit(_status_recompute, database_url).result()


def _status_recompute(database_url: str) -> dict:
    with connection.connect(database_url, autocommit=True) as conn:
        started = time.perf_counter()
        first = refresh_status(conn, None)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = refresh_status(conn, None)
        again_seconds = time.perf_counter() - started
        statuses = scale.status_counts(conn)
    return {"site_modules": first["site_modules_checked"], "site_projects": first["site_projects_checked"],
            "seconds": round(first_seconds, 2), "rows_changed": first["site_projects_changed"],
            "site_modules_changed": first["site_modules_changed"], "unchanged_seconds": round(again_seconds, 2),
            "rows_changed_again": again["site_projects_changed"], "statuses": statuses}


def query_latency(intake: Intake, admin_token: str, site_ids: list[int], requests: int, tick) -> dict:
    """Sequential GETs of the security report, random sites' module lists, and the other reads."""
    rng = random.Random(5)
    headers = {"Authorization": f"Bearer {admin_token}"}
    paths = {
        "reports_security": lambda: "/api/v1/reports/security",
        "site_modules": lambda: f"/api/v1/sites/{rng.choice(site_ids)}/modules",
        "site_modules_insecure": lambda: f"/api/v1/sites/{rng.choice(site_ids)}/modules?status=NOT_SECURE",
        "site": lambda: f"/api/v1/sites/{rng.choice(site_ids)}",
        "site_history": lambda: f"/api/v1/sites/{rng.choice(site_ids)}/history",
        "sites_page": lambda: f"/api/v1/sites?offset={rng.randrange(len(site_ids))}",
        "modules_page": lambda: f"/api/v1/modules?offset={rng.randrange(1000)}",
    }
    timings: dict[str, list[float]] = {name: [] for name in paths}
    with httpx.Client(base_url=intake.base_url, headers=headers, timeout=30) as client:
        for name, path in paths.items():
            client.get(path()).raise_for_status()  # warm the connection pool and caches
            for _ in range(requests):
                started = time.perf_counter()
                answer = client.get(path())
                timings[name].append(time.perf_counter() - started)
                answer.raise_for_status()
                tick()
    return {name: millis(values) for name, values in timings.items()} | {
        "intake_peak_rss_mb": round(peak_rss_mb(intake.process.pid), 1)}


def frame_posts(sites: list[BenchSite], inventory: pl.DataFrame, payload_of) -> list[tuple[BenchSite, bytes]]:
    """Each site's rows of `inventory` (its `site` column = index into `sites`) as a JSON body."""
    posts = []
    for (index,), rows in inventory.partition_by("site", as_dict=True, maintain_order=True).items():
        site = sites[index]
        posts.append((site, json.dumps(payload_of(rows, site, index)).encode()))
    return posts
