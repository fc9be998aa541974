"""Intake latency for 1000-module payloads: `python -m tests.intake.bench_intake [--requests N]`.

Starts an embedded PostgreSQL (or uses MODWATCH_TEST_DATABASE_URL's server)
and the API in its own uvicorn process, registers sites, then posts
sequentially over HTTP and prints p50/p99 latency and payloads/s as JSON.
Not a test: numbers depend on the machine.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from modwatch.database import drop_database, ensure_database, libpq_url, start_embedded_server
from sql.migrate import upgrade
from tests.conftest import ADMIN_TOKEN, free_port
from tests.intake.conftest import encode, module_a, payload_a


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--modules", type=int, default=1000)
    parser.add_argument("--sites", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        configured = os.environ.get("MODWATCH_TEST_DATABASE_URL")
        server = None if configured else start_embedded_server(Path(scratch))
        server_url = libpq_url(configured) if configured else server.get_uri()
        name = f"modwatch_bench_{uuid.uuid4().hex[:8]}"
        database_url = ensure_database(server_url, name)
        try:
            upgrade(database_url)
            print(json.dumps(run(database_url, Path(scratch), args)))
        finally:
            drop_database(server_url, name)


def run(database_url: str, home: Path, args) -> dict:
    port = free_port()
    env = {**os.environ, "MODWATCH_DATABASE_URL": database_url, "MODWATCH_ADMIN_TOKEN": ADMIN_TOKEN,
           "MODWATCH_HOME": str(home), "MODWATCH_RATE_LIMIT_PER_HOUR": str(10**6)}
    api = subprocess.Popen([sys.executable, "-m", "uvicorn", "intake.main:create_app", "--factory",
                            "--port", str(port), "--no-access-log", "--log-level", "warning"], env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            wait_until_up(client)
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            sites = []
            for index in range(args.sites):
                url = f"https://site{index}.example.org"
                created = client.post("/api/v1/sites", json={"name": f"Site {index}", "url": url}, headers=admin)
                sites.append((created.json()["id"], created.json()["token"], url))
            bodies = {}
            for site_id, _, url in sites:
                modules = [module_a(i, version=f"8.x-1.{(i + site_id) % 30}") for i in range(args.modules)]
                bodies[site_id] = encode(payload_a(modules, url=url, full_sync=True))
            latencies = []
            started = time.perf_counter()
            for request in range(args.requests + 20):
                site_id, token, _ = sites[request % len(sites)]
                before = time.perf_counter()
                answer = client.post(f"/api/v1/sites/{site_id}/modules", content=bodies[site_id],
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
                elapsed = time.perf_counter() - before
                assert answer.status_code == 202, answer.text
                if request == 19:
                    started = time.perf_counter()
                if request >= 20:  # the first requests warm the pool and the caches
                    latencies.append(elapsed * 1000)
            wall = time.perf_counter() - started
    finally:
        api.terminate()
        api.wait(timeout=10)
    return {
        "requests": len(latencies),
        "modules_per_payload": args.modules,
        "body_bytes": len(next(iter(bodies.values()))),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
        "payloads_per_second": round(len(latencies) / wall, 1),
    }


def wait_until_up(client: httpx.Client) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the API did not start")


if __name__ == "__main__":
    main()
