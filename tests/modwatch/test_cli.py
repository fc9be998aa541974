"""The command line as an operator meets it, each command in its own process.

One line on what went wrong, never a traceback; a non-zero exit when what was
asked failed; Dagster's logs only with --verbose; a second terminal uses the
settings of the platform running on the same home; pending tasks that nothing
takes say why.
"""

import json
import os
import signal
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import dagster as dg
import httpx
import psycopg
import pytest

from modwatch import demo
from modwatch.runtime import (
    ENVIRONMENT_FILE,
    LOCK_FILE,
    platform_lock,
    read_platform_environment,
    write_platform_environment,
)
from sql import tasks
from tests.support.cli import cli_environment, run_cli
from tests.support.databases import migrated_database
from tests.support.live import make_settings
from tests.support.payloads import Module, shape_b
from tests.support.platform import Platform, wait_until
from tests.support.ports import free_port


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def busy_port():
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.fixture
def fresh_database(database_server):
    with migrated_database(database_server, "cli") as url:
        yield url


@pytest.fixture
def fresh_platform(live_app, tmp_path, fresh_database, admin_headers):
    """The intake over HTTP on a database of its own (the CLI's Dagster runs keep their storage there too)."""
    live = live_app(make_settings(tmp_path, fresh_database))
    with httpx.Client(base_url=live.base_url, timeout=30) as client:
        yield Platform(client, admin_headers, fresh_database, instance=None)


@pytest.mark.parametrize("busy", ["api", "ui"])
def test_up_names_a_busy_port_in_one_line(tmp_path, database_url, busy_port, busy):
    ports = {"api": free_port(), "ui": free_port(), busy: busy_port}

    done = run_cli("up", "--api-port", str(ports["api"]), "--ui-port", str(ports["ui"]),
                   environment=cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=database_url), timeout=60)

    assert done.returncode == 1
    line = one_line(done.stderr)
    assert f"port {busy_port}" in line and f"--{busy}-port" in line and "make run API_PORT=" in line
    assert "modwatch is up" not in done.stdout


def test_a_second_platform_on_the_same_home_is_refused(tmp_path, database_url):
    home = tmp_path / "home"
    with platform_lock(home):
        done = run_cli("up", "--api-port", str(free_port()), "--ui-port", str(free_port()),
                       environment=cli_environment(home, MODWATCH_DATABASE_URL=database_url), timeout=60)

    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "already running" in line and str(home.resolve()) in line
    assert f"(pid {os.getpid()})" in line


def test_a_lock_left_by_a_dead_platform_is_ignored(tmp_path, database_url, busy_port):
    home = tmp_path / "home"
    home.mkdir()
    (home / LOCK_FILE).write_text("999999\n")
    (home / ENVIRONMENT_FILE).write_text("MODWATCH_RELEASE_FEED_URL=file:///left/over\n")

    assert read_platform_environment(home) == {}
    done = run_cli("up", "--api-port", str(busy_port), "--ui-port", str(free_port()),
                   environment=cli_environment(home, MODWATCH_DATABASE_URL=database_url), timeout=60)

    # Past the lock: what stops this start is the port, not a platform that is long gone.
    assert done.returncode == 1 and f"port {busy_port}" in one_line(done.stderr)


def test_another_terminal_uses_the_running_platforms_settings(fresh_platform, tmp_path, fresh_database):
    site = fresh_platform.add_site("settings")
    fresh_platform.push(site, shape_b([Module("token", "8.x-1.5")]))
    home = tmp_path / "platform-home"
    # Neither the database nor the feed folder is in the second terminal's environment: only the home.
    terminal = cli_environment(home)
    with platform_lock(home):
        write_platform_environment(home, {"MODWATCH_DATABASE_URL": fresh_database, "MODWATCH_ADMIN_TOKEN": "secret",
                                          **demo.platform_environment(), "PATH": "/not/shared"})
        shared = (home / ENVIRONMENT_FILE).read_text()
        assert "secret" not in shared and "PATH" not in shared
        processed = run_cli("process", environment=terminal)
        refreshed = run_cli("releases", "refresh", "--project", "token", environment=terminal)
        verbose = run_cli("--verbose", "releases", "refresh", "--project", "token", environment=terminal)
    assert not (home / ENVIRONMENT_FILE).exists()

    assert processed.returncode == 0, processed.stderr
    assert one_line(processed.stdout) == "1 ingest run: 1 payload completed, 0 failed"
    assert refreshed.returncode == 0, refreshed.stderr
    # Fetched from the demo's bundled folder, not from drupal.org; and nothing but that line.
    assert one_line(refreshed.stdout) == "release feeds: 1 fetched; statuses recomputed"
    assert refreshed.stderr == ""
    assert verbose.returncode == 0 and " - DEBUG - " in verbose.stdout + verbose.stderr


def test_a_failed_feed_is_named_and_the_exit_is_not_zero(fresh_platform, tmp_path, fresh_database):
    site = fresh_platform.add_site("feeds")
    fresh_platform.push(site, shape_b([Module("token", "8.x-1.5"), Module("gin_toolbar", "1.0.0")]))
    terminal = cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=fresh_database,
                               **demo.platform_environment())
    assert run_cli("process", environment=terminal).returncode == 0

    done = run_cli("releases", "refresh", "--project", "token", "--project", "gin_toolbar", environment=terminal)

    assert done.returncode == 1
    line = one_line(done.stdout)
    assert line.startswith("release feeds: ") and "; 1 failed (gin_toolbar (current): feed could not be parsed" in line


def test_missing_inputs_and_an_unreachable_database_are_one_line_each(tmp_path, database_url, free_port_url):
    terminal = cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=database_url)

    missing_file = run_cli("advisories", "load", str(tmp_path / "nowhere.json"), environment=terminal)
    no_source = run_cli("advisories", "load", environment=terminal)
    unreachable = run_cli("site", "list", environment={**terminal, "MODWATCH_DATABASE_URL": free_port_url})

    assert missing_file.returncode == 2
    missing = tmp_path / "nowhere.json"
    assert one_line(missing_file.stderr) == f"modwatch: advisories not loaded: no such file: {missing}"
    assert no_source.returncode == 1
    no_source_line = one_line(no_source.stdout)
    # No source given: the default, the public OSV database, which this machine cannot reach — named in the line.
    assert no_source_line.startswith("advisories not loaded: cannot read OSV advisories from https://github.com/")
    assert unreachable.returncode == 1
    assert one_line(unreachable.stderr).startswith("modwatch: cannot reach the database (MODWATCH_DATABASE_URL): ")


def test_a_feed_url_modwatch_cannot_fetch_is_refused_in_one_line(tmp_path, database_url):
    # ftp:// (or any scheme but http, https, file) would only fail later, at every fetch: refuse it at start.
    terminal = cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=database_url,
                               MODWATCH_RELEASE_FEED_URL="ftp://updates.example.org/release-history")

    refused = run_cli("site", "list", environment=terminal)

    assert refused.returncode == 2
    line = one_line(refused.stderr)
    assert "MODWATCH_RELEASE_FEED_URL" in line and "http://, https:// or file://" in line, line


def test_pending_tasks_nothing_takes_say_why_and_failed_ones_are_retried(fresh_platform, tmp_path, fresh_database):
    site = fresh_platform.add_site("waiting")
    waiting = fresh_platform.push(site, shape_b([Module("views", "8.x-3.1")]))
    other_site = fresh_platform.add_site("failing")
    failing = fresh_platform.push(other_site, shape_b([Module("token", "8.x-1.5")]))
    with psycopg.connect(fresh_database, autocommit=True) as conn:
        tasks.fail(conn, task_id=failing, error="merge failed: deadlock")
    terminal = cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=fresh_database)

    listed = run_cli("tasks", "list", environment=terminal)
    retried = run_cli("tasks", "retry", "--failed", environment=terminal)
    unknown = run_cli("tasks", "retry", waiting, environment=terminal)

    assert listed.returncode == 0, listed.stderr
    assert {waiting, failing} <= {line.split()[0] for line in listed.stdout.splitlines()[:-1]}
    summary = listed.stdout.strip().splitlines()[-1]
    assert summary.startswith("1 failed, 1 pending; 1 pending since ") and "no Dagster daemon is running" in summary
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.strip().splitlines()[-1] == "1 task back to pending"
    assert fresh_platform.status(failing)["status"] == "pending"
    assert unknown.returncode == 1
    assert unknown.stdout.strip().splitlines()[-1] == (
        f"0 tasks back to pending; not retried: task {waiting} is pending")


def test_up_shares_its_settings_and_refuses_a_second_platform_then_stops_on_ctrl_c(tmp_path, fresh_database):
    home = tmp_path / "home"
    api_port = free_port()
    up = subprocess.Popen([sys.executable, "-m", "modwatch.cli", "up", "--api-port", str(api_port),
                           "--ui-port", str(free_port())],
                          env=cli_environment(home, MODWATCH_DATABASE_URL=fresh_database),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: answers(f"http://127.0.0.1:{api_port}/health"), timeout_seconds=120,
                   what="the API of `modwatch up` answering")
        second = run_cli("up", "--api-port", str(free_port()), "--ui-port", str(free_port()),
                         environment=cli_environment(home, MODWATCH_DATABASE_URL=fresh_database), timeout=60)
        # A second terminal knows only the home: the database comes from the running platform.
        added = run_cli("site", "add", "--name", "Shared", "--url", "https://shared.example.org",
                        environment=cli_environment(home))
    finally:
        up.send_signal(signal.SIGINT)
        output, _ = up.communicate(timeout=60)

    assert second.returncode == 1
    assert f"already running on MODWATCH_HOME={home.resolve()} (pid {up.pid})" in one_line(second.stderr)
    assert added.returncode == 0, added.stderr
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("SELECT name FROM sites").fetchall() == [("Shared",)]
    assert "modwatch is up" in output
    assert up.returncode == 0, output[-3000:]
    assert not (home / ENVIRONMENT_FILE).exists()


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_make_run_passes_its_ports_to_up():
    root = Path(__file__).resolve().parents[2]
    planned = subprocess.run(["make", "-n", "run", "API_PORT=8123", "UI_PORT=3123"], cwd=root, capture_output=True,
                             text=True, timeout=60)

    assert planned.returncode == 0, planned.stderr
    assert "modwatch up --demo --api-port 8123 --ui-port 3123" in planned.stdout


def test_a_second_site_with_the_same_url_is_refused_in_one_line(tmp_path, fresh_database):
    environment = cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=fresh_database)
    first = run_cli("site", "add", "--name", "Intranet", "--url", "https://intranet.example.org",
                    environment=environment)
    again = run_cli("site", "add", "--name", "Copy", "--url", "HTTPS://Intranet.example.org/",
                    environment=environment)

    assert first.returncode == 0, first.stderr
    assert again.returncode == 1
    assert "('Intranet') is registered with 'https://intranet.example.org'" in one_line(again.stderr)
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("SELECT name FROM sites").fetchall() == [("Intranet",)]


def test_advisories_load_takes_the_osv_database_and_names_what_it_loaded(tmp_path, fresh_database):
    environment = cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=fresh_database)
    snapshot = Path(__file__).resolve().parents[1] / "transforms" / "data" / "osv" / "drupal-advisory-database-main.zip"

    loaded = run_cli("advisories", "load", str(snapshot), environment=environment, timeout=300)
    missing = run_cli("advisories", "load", str(tmp_path / "nowhere"), environment=environment)

    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert "OSV advisories loaded: 591 (591 added, 0 changed, 0 removed)" in loaded.stdout
    assert missing.returncode == 2 and "no such file" in one_line(missing.stderr)
    with psycopg.connect(fresh_database) as conn:
        assert conn.execute("SELECT count(*) FROM osv_advisories").fetchone()[0] == 591


def test_loads_from_the_command_line_are_runs_the_ui_shows(fresh_platform, tmp_path, fresh_database, monkeypatch):
    site = fresh_platform.add_site("loads")
    fresh_platform.push(site, shape_b([Module("token", "8.x-1.5")]))
    home = tmp_path / "home"
    terminal = cli_environment(home, MODWATCH_DATABASE_URL=fresh_database, **demo.platform_environment())
    assert run_cli("process", environment=terminal).returncode == 0

    commands = {
        "release_data": ("releases", "refresh", "--project", "token"),
        "osv_advisories": ("advisories", "load", str(demo.OSV_DIR)),
        "security_advisories": ("advisories", "load", str(demo.CURRENT_ADVISORIES)),
    }
    run_ids = {}
    for asset, command in commands.items():
        done = run_cli(*command, "--json", environment=terminal)
        assert done.returncode == 0, done.stderr[-2000:]
        run_ids[asset] = json.loads(done.stdout)["run_id"]

    # The platform's instance (its Dagster home, its database) holds each run and what it materialized.
    monkeypatch.setenv("MODWATCH_DATABASE_URL", fresh_database)
    with dg.DagsterInstance.from_config(str(home / "dagster")) as instance:
        for asset, run_id in run_ids.items():
            assert instance.get_latest_materialization_event(dg.AssetKey(asset)).run_id == run_id, asset
            run = instance.get_run_by_id(run_id)
            assert run.status == dg.DagsterRunStatus.SUCCESS and run.tags["modwatch/pid"]
        assert instance.get_latest_materialization_event(dg.AssetKey("portfolio_status")).run_id == run_ids[
            "security_advisories"]
        assert instance.get_latest_materialization_event(dg.AssetKey("advisory_statuses")).run_id == run_ids[
            "osv_advisories"]


def test_json_timestamps_read_as_the_apis(fresh_platform, tmp_path, fresh_database):
    site = fresh_platform.add_site("stamps")
    task = fresh_platform.push(site, shape_b([Module("token", "8.x-1.5")]))
    terminal = cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=fresh_database)
    assert run_cli("process", environment=terminal).returncode == 0

    listed = run_cli("site", "list", "--json", environment=terminal)
    task_list = run_cli("tasks", "list", "--json", environment=terminal)

    assert listed.returncode == 0 and task_list.returncode == 0, listed.stderr + task_list.stderr
    (cli_site,) = json.loads(listed.stdout)
    api_site = fresh_platform.api.get(f"/api/v1/sites/{site.id}", headers=fresh_platform.admin_headers).json()
    assert (cli_site["created_at"], cli_site["last_sync_at"]) == (api_site["created_at"], api_site["last_sync_at"])
    (cli_task,) = json.loads(task_list.stdout)["tasks"]
    assert cli_task["received_at"] == fresh_platform.status(task)["received_at"]
    # ISO 8601 with the zone, as the API writes it.
    assert datetime.fromisoformat(cli_site["created_at"]).utcoffset() is not None


def test_counts_read_in_the_right_number(fresh_platform, tmp_path, fresh_database):
    terminal = cli_environment(tmp_path / "home", MODWATCH_DATABASE_URL=fresh_database)
    fresh_platform.add_site("only")
    one = run_cli("site", "list", environment=terminal)
    fresh_platform.add_site("second")
    two = run_cli("site", "list", environment=terminal)

    assert one.stdout.strip().splitlines()[-1] == "1 site"
    assert two.stdout.strip().splitlines()[-1] == "2 sites"
