"""Read latency at scale: `python -m tests.intake.bench_read --server URL [--sites 10000 --modules 300]`.

Loads a synthetic portfolio (tests/support/population.py, generate_series
SQL) into a database of its own on the PostgreSQL server at `--server`,
VACUUM ANALYZEs it, serves the API from its own uvicorn process and times
sequential HTTP reads, then drops the database (unless `--keep`; `--reuse
NAME` measures an already loaded one). Prints one JSON object with p50/p95/p99
per endpoint. Not a test: numbers depend on the machine and what else runs on it.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

from modwatch.database import drop_database, ensure_database, libpq_url, with_database
from sql.migrate import upgrade
from tests.conftest import ADMIN_TOKEN, free_port
from tests.intake.bench_intake import percentile, wait_until_up
from tests.support.population import Population, load_population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", default=os.environ.get("MODWATCH_TEST_DATABASE_URL"), required=False,
                        help="PostgreSQL server URL (any database on it)")
    parser.add_argument("--sites", type=int, default=10_000)
    parser.add_argument("--modules", type=int, default=300, help="modules per site")
    parser.add_argument("--catalog", type=int, default=2_000, help="distinct modules")
    parser.add_argument("--insecure-permille", type=int, default=15)
    parser.add_argument("--requests", type=int, default=400, help="timed requests per endpoint")
    parser.add_argument("--reuse", help="an already loaded database on the server")
    parser.add_argument("--keep", action="store_true", help="do not drop the database afterwards")
    args = parser.parse_args()
    if not args.server:
        parser.error("--server (or MODWATCH_TEST_DATABASE_URL) is required: this needs a real server")
    server = libpq_url(args.server)
    name = args.reuse or f"modwatch_bench_read_{uuid.uuid4().hex[:8]}"
    url = with_database(server, name) if args.reuse else ensure_database(server, name)
    try:
        upgrade(url)
        loaded = None if args.reuse else load(url, args)
        with tempfile.TemporaryDirectory() as home:
            print(json.dumps({"loaded": loaded, **measure(url, Path(home), args.requests)}, indent=1))
    finally:
        if not (args.keep or args.reuse):
            drop_database(server, name)


def load(url: str, args) -> dict:
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        load_population(conn, Population(sites=args.sites, modules_per_site=args.modules, catalog=args.catalog,
                                         core_modules=40, versions=10, insecure_permille=args.insecure_permille))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return {"sites": args.sites, "modules_per_site": args.modules, "seconds": round(time.perf_counter() - started)}


def measure(url: str, home: Path, requests: int) -> dict:
    with psycopg.connect(url) as conn:
        site_ids = [row[0] for row in conn.execute("SELECT id FROM sites ORDER BY id")]
        affected = conn.execute(
            "SELECT count(DISTINCT site_id), count(*) FROM site_modules WHERE removed_at IS NULL "
            "AND (status IN ('NOT_SECURE', 'REVOKED') OR known_vulnerable)").fetchone()
        module = conn.execute("SELECT machine_name FROM modules ORDER BY id LIMIT 1").fetchone()[0]
    pick = random.Random(7)
    report_pages = max(1, affected[0] // 50)
    endpoints = {
        "site_modules": lambda: (f"/api/v1/sites/{pick.choice(site_ids)}/modules", {}),
        "site_modules_filtered": lambda: (f"/api/v1/sites/{pick.choice(site_ids)}/modules",
                                          {"status": "NOT_SECURE,REVOKED,NOT_CURRENT", "module_type": "contrib"}),
        "security_report_first_page": lambda: ("/api/v1/reports/security", {}),
        "security_report_any_page": lambda: ("/api/v1/reports/security",
                                             {"offset": 50 * pick.randrange(report_pages)}),
        "site": lambda: (f"/api/v1/sites/{pick.choice(site_ids)}", {}),
        "sites_page": lambda: ("/api/v1/sites", {"offset": 50 * pick.randrange(len(site_ids) // 50)}),
        "sites_by_security_updates": lambda: ("/api/v1/sites", {"sort": "-security_updates"}),
        "site_history": lambda: (f"/api/v1/sites/{pick.choice(site_ids)}/history", {}),
        "modules_page": lambda: ("/api/v1/modules", {"offset": 50 * pick.randrange(4)}),
        "module": lambda: (f"/api/v1/modules/{module}", {}),
    }
    port = free_port()
    env = {**os.environ, "MODWATCH_DATABASE_URL": url, "MODWATCH_ADMIN_TOKEN": ADMIN_TOKEN,
           "MODWATCH_HOME": str(home)}
    api = subprocess.Popen([sys.executable, "-m", "uvicorn", "intake.main:create_app", "--factory",
                            "--port", str(port), "--no-access-log", "--log-level", "warning"], env=env)
    results = {"affected_sites": affected[0], "site_modules_in_trouble": affected[1]}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
            wait_until_up(client)
            for name, next_request in endpoints.items():
                latencies = []
                for index in range(requests + 30):
                    path, params = next_request()
                    before = time.perf_counter()
                    answer = client.get(path, params=params)
                    elapsed = (time.perf_counter() - before) * 1000
                    assert answer.status_code == 200, answer.text
                    if index >= 30:  # the first ones warm the pool, the prepared statements and the caches
                        latencies.append(elapsed)
                results[name] = {"p50_ms": round(statistics.median(latencies), 2),
                                 "p95_ms": round(percentile(latencies, 0.95), 2),
                                 "p99_ms": round(percentile(latencies, 0.99), 2),
                                 "bytes": len(answer.content)}
    finally:
        api.terminate()
        api.wait(timeout=10)
    return results


if __name__ == "__main__":
    main()
