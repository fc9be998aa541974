"""The demo's portfolio as the dashboard's tests see it: loaded through the real intake and pipeline.

`demo_portfolio` registers the demo sites, loads the bundled advisories,
pushes every inventory over HTTP and runs the real landing sensor and ingest
job in this process until every task is done; then records the trend's point
the way the schedule does. `load_like_up` is that load alone, which the demo's
own tests run on the platform they build.
"""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import httpx
import pytest

from modwatch import demo
from modwatch.runtime import Runtime
from tests.support.databases import migrated_database
from tests.support.live import ADMIN_TOKEN, LiveServer, make_settings, serve
from tests.support.platform import Platform


@dataclass
class DemoPortfolio:
    base_url: str
    database_url: str
    admin_token: str
    sites: list[demo.RegisteredSite]

    def site(self, core_prefix: str) -> demo.RegisteredSite:
        """The demo site whose Drupal core starts with `core_prefix` (`"7."`, `"10."`, `"11."`)."""
        return next(registered for registered in self.sites if registered.site.core_version.startswith(core_prefix))


def load_like_up(platform: Platform, prepared: demo.Demo, timeout_seconds: float = 180) -> None:
    """What `up --demo` does, with the caller standing in for the daemon (sensor + ingest runs)."""
    loader = prepared.load_in_background(platform.api.base_url, timeout_seconds=timeout_seconds)
    deadline = time.monotonic() + timeout_seconds
    while loader.is_alive() and time.monotonic() < deadline:
        if platform.run_once() is None:
            time.sleep(0.2)
    loader.join(timeout=5)
    assert not loader.is_alive(), "the demo did not finish loading"
    assert platform.runs and all(run.success for run in platform.runs)


def record_trend(database_url: str) -> None:
    """Materialise the trend asset as its schedule's job does."""
    from orchestration.definitions import defs

    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("record_portfolio_trend").execute_in_process(instance=instance)
    assert result.success


@contextmanager
def demo_portfolio(server_url: str, home: Path) -> Iterator[DemoPortfolio]:
    """A database of its own with the demo loaded, and the real app serving it over HTTP."""
    with migrated_database(server_url, "dashboard") as database_url, pytest.MonkeyPatch.context() as env:
        env.setenv("MODWATCH_DATABASE_URL", database_url)
        for name, value in demo.platform_environment().items():
            env.setenv(name, value)
        from intake.main import create_app

        settings = make_settings(home, database_url)
        live: LiveServer = serve(create_app(settings))
        try:
            with httpx.Client(base_url=live.base_url, timeout=30) as api, \
                    dg.DagsterInstance.ephemeral() as instance:
                platform = Platform(api, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, database_url, instance)
                prepared = demo.prepare_demo(Runtime(settings, database_url, ADMIN_TOKEN, embedded_server=None),
                                             instance)
                load_like_up(platform, prepared)
            record_trend(database_url)
            yield DemoPortfolio(live.base_url, database_url, ADMIN_TOKEN, prepared.sites)
        finally:
            live.stop()


CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: httpx.Client, token: str, next_path: str = "/") -> httpx.Response:
    """Sign in through the form as a browser does: GET it (CSRF cookie and field), POST it back."""
    form = client.get("/signin", params={"next": next_path})
    assert form.status_code == 200, form.text
    return client.post("/signin", data={"token": token, "csrf": csrf_of(form.text), "next": next_path})


@contextmanager
def signed_in(base_url: str, token: str) -> Iterator[httpx.Client]:
    """A client holding a session of `token`."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        answer = sign_in(client, token)
        assert answer.status_code == 303, answer.text
        yield client


# Elements that would make the browser fetch something; every one must point at this app.
ASSET_REFERENCES = re.compile(
    r"<(?:link|script|img|iframe|source|embed|object)\b[^>]*\b(?:href|src|data)=\"([^\"]*)\"|url\(([^)]*)\)|@import",
    re.IGNORECASE)


def external_assets(html: str) -> list[str]:
    """Asset URLs in a page that leave the app (absolute or protocol-relative)."""
    found = [first or second or "@import" for first, second in ASSET_REFERENCES.findall(html)]
    return [url for url in found if url == "@import" or re.match(r"^\s*['\"]?(?:[a-z]+:)?//", url, re.IGNORECASE)]

