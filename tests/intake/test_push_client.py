"""`clients/modwatch-push` against the real intake over HTTP, with a stand-in drush on PATH: the answers a
cron job needs, as exit codes and one-line messages."""

import gzip
import json
import subprocess

import pytest

from tests.support.fault_proxy import FaultProxy
from tests.support.intake import landed
from tests.support.inventories import COMPOSER_LOCK, DRUSH_DRUPAL10, document
from tests.support.ports import free_port
from tests.support.push_client import CLIENT, SHELL, run_client, stand_in_drush


@pytest.fixture
def bin_dir(tmp_path):
    directory = tmp_path / "bin"
    stand_in_drush(directory, DRUSH_DRUPAL10)
    return directory


@pytest.fixture
def token_file(tmp_path, site):
    path = tmp_path / "token"
    path.write_text(site.token + "\n")
    return path


@pytest.fixture
def proxy(api):
    faulty = FaultProxy(str(api.base_url).rstrip("/"))
    faulty.start()
    yield faulty
    faulty.stop()


def task_of(run) -> str:
    assert run.exit_code == 0, run.stderr
    (task_id,) = run.stdout.split()
    return task_id


def test_the_inventory_goes_through_gzipped_with_a_content_key(api, site, db, proxy, bin_dir, token_file):
    run = run_client(bin_dir=bin_dir, url=proxy.url, site_id=site.id, token_file=token_file)
    task_id = task_of(run)

    (row,) = landed(db, site.id)
    assert str(row["task_id"]) == task_id and row["payload_shape"] == "c" and row["modules_received"] == 28
    assert bytes(row["body"]) == DRUSH_DRUPAL10.read_bytes()
    (sent,) = proxy.requests
    assert sent.path == f"/api/v1/sites/{site.id}/modules?format=drush"
    assert sent.headers["content-encoding"] == "gzip" and gzip.decompress(sent.body) == DRUSH_DRUPAL10.read_bytes()
    assert sent.headers["idempotency-key"].startswith("modwatch-push-drush-")
    assert sent.headers["authorization"] == f"Bearer {site.token}"
    # The same inventory again is the same task: the key comes from the content.
    assert task_of(run_client(bin_dir=bin_dir, url=proxy.url, site_id=site.id, token_file=token_file)) == task_id
    assert len(landed(db, site.id)) == 1


def test_a_composer_lock_instead_of_drush(api, site, db, tmp_path, token_file):
    run = run_client("--composer-lock", str(COMPOSER_LOCK), bin_dir=tmp_path / "empty-bin", url=str(api.base_url),
                     site_id=site.id, token_file=token_file)
    task_of(run)
    (row,) = landed(db, site.id)
    assert (row["payload_shape"], row["modules_received"], row["core_version"]) == ("d", 8, "10.2.7")


def test_a_429_is_waited_out(api, site, db, proxy, bin_dir, token_file):
    proxy.fail_next(429, {"Retry-After": "2"})
    run = run_client(bin_dir=bin_dir, url=proxy.url, site_id=site.id, token_file=token_file)
    task_of(run)
    assert run.seconds >= 2 and len(proxy.requests) == 2
    assert "rate limited; retrying in 2 s" in run.stderr
    assert len(landed(db, site.id)) == 1


def test_a_429_longer_than_the_cron_interval_gives_up_at_once(api, site, db, proxy, bin_dir, token_file):
    proxy.fail_next(429, {"Retry-After": "3600"})
    run = run_client("--max-wait", "600", bin_dir=bin_dir, url=proxy.url, site_id=site.id,
                     token_file=token_file)
    assert run.exit_code == 75 and run.seconds < 10
    assert "injected 429" in run.stderr and "Retry-After 3600 s" in run.stderr
    assert landed(db) == []


def test_a_503_and_a_dropped_connection_are_retried(api, site, db, proxy, bin_dir, token_file):
    proxy.fail_next(503, {"Retry-After": "5"})
    proxy.drop_next()
    run = run_client(bin_dir=bin_dir, url=proxy.url, site_id=site.id, token_file=token_file)
    task_of(run)
    assert len(proxy.requests) == 3 and run.seconds >= 3  # backoff 1 s, then 2 s
    assert "HTTP 503: injected 503; retrying in 1 s" in run.stderr
    assert len(landed(db, site.id)) == 1


def test_retries_are_bounded(site, bin_dir, token_file):
    run = run_client("--retries", "2", bin_dir=bin_dir, url=f"http://127.0.0.1:{free_port()}", site_id=site.id,
                     token_file=token_file)
    assert run.exit_code == 75 and run.stdout == ""
    assert "gave up after 3 attempts; cannot reach http://127.0.0.1:" in run.stderr.splitlines()[-1]


def test_a_bad_token_is_401_and_exit_77(api, site, db, tmp_path, bin_dir):
    wrong = tmp_path / "wrong-token"
    wrong.write_text("not-the-token")
    run = run_client(bin_dir=bin_dir, url=str(api.base_url), site_id=site.id, token_file=wrong)
    assert run.exit_code == 77 and run.stdout == ""
    assert run.stderr.startswith("modwatch-push: HTTP 401: ") and "token" in run.stderr
    assert landed(db) == []


def test_an_inventory_the_intake_refuses_is_422_and_exit_65(api, site, db, tmp_path, token_file):
    broken = document(DRUSH_DRUPAL10)
    broken["token"]["project"] = "../../../../etc/passwd"
    printed = tmp_path / "broken.json"
    printed.write_text(json.dumps(broken))
    bin_dir = tmp_path / "broken-bin"
    stand_in_drush(bin_dir, printed)
    run = run_client(bin_dir=bin_dir, url=str(api.base_url), site_id=site.id, token_file=token_file)
    assert run.exit_code == 65
    # The server's message and each problem's, on the one line cron mails.
    assert "HTTP 422: the drush pm:list (format=drush) payload is invalid (1 problem)" in run.stderr
    assert "String should match pattern" in run.stderr and len(run.stderr.splitlines()) == 1
    assert landed(db) == []


def test_drush_failing_is_exit_66(site, tmp_path, token_file):
    bin_dir = tmp_path / "failing-bin"
    stand_in_drush(bin_dir, None, exit_code=1)
    run = run_client(bin_dir=bin_dir, url="http://127.0.0.1:9", site_id=site.id, token_file=token_file)
    assert run.exit_code == 66 and "Drush command terminated abnormally." in run.stderr


def test_configuration_errors_are_exit_64(tmp_path, bin_dir):
    run = run_client(bin_dir=bin_dir, url="", site_id=3, token_file=None)
    assert run.exit_code == 64 and "MODWATCH_URL" in run.stderr
    run = run_client(bin_dir=bin_dir, url="http://x", site_id="", token_file=None)
    assert run.exit_code == 64 and "MODWATCH_SITE_ID" in run.stderr
    run = run_client(bin_dir=bin_dir, url="http://x", site_id=3, token_file=None)
    assert run.exit_code == 64 and "no token" in run.stderr
    run = run_client("--bogus", bin_dir=bin_dir, url="http://x", site_id=3, token_file=None)
    assert run.exit_code == 64 and "unknown option --bogus" in run.stderr


def test_help_names_every_option_and_the_crontab_line(tmp_path):
    run = run_client("--help", bin_dir=tmp_path, url="", site_id="", token_file=None)
    assert run.exit_code == 0
    for option in ("--url", "--site-id", "--token-file", "--drush", "--composer-lock", "--retries", "--max-wait",
                   "--quiet", "MODWATCH_URL", "MODWATCH_SITE_ID", "MODWATCH_TOKEN_FILE", "* * * *"):
        assert option in run.stdout
    assert CLIENT.read_text().startswith("#!/bin/sh\n")


def test_the_crontab_line_works_as_written(api, site, db, tmp_path, bin_dir, token_file):
    run = run_client("--help", bin_dir=tmp_path, url="", site_id="", token_file=None)
    (line,) = [line.strip() for line in run.stdout.splitlines() if line.strip().startswith("17 * * * *")]
    command = line.split(maxsplit=5)[5]  # what cron hands to /bin/sh
    for documented, here in (("https://modwatch.example.org", str(api.base_url).rstrip("/")),
                             ("MODWATCH_SITE_ID=42", f"MODWATCH_SITE_ID={site.id}"),
                             ("/etc/modwatch/token", str(token_file)),
                             ("/usr/local/bin/modwatch-push", f"{SHELL} {CLIENT}"),
                             ("/var/www/html/vendor/bin/drush", str(bin_dir / "drush"))):
        assert documented in command
        command = command.replace(documented, here)
    done = subprocess.run([SHELL, "-c", command], env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")  # --quiet: cron mails nothing
    (row,) = landed(db, site.id)
    assert row["payload_shape"] == "c"
