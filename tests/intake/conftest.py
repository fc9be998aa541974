"""Intake fixtures: registered sites, apps with chosen limits (the builders are in tests/support/intake.py)."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.intake import DEFAULT_URL, register_site
from tests.support.live import make_settings
from tests.support.sites import Site


@pytest.fixture
def create_site(api, admin_headers) -> Callable[..., Site]:
    def create(*, name: str = "Example", url: str = DEFAULT_URL) -> Site:
        return register_site(api, admin_headers, name=name, url=url)

    return create


@pytest.fixture
def site(create_site) -> Site:
    return create_site()


@pytest.fixture
def start_api(live_app, tmp_path, database_url) -> Iterator[Callable[..., httpx.Client]]:
    """An HTTP client against a fresh app whose settings override the test defaults."""
    clients: list[httpx.Client] = []

    def start(**overrides: Any) -> httpx.Client:
        live = live_app(make_settings(tmp_path, database_url, **overrides))
        client = httpx.Client(base_url=live.base_url, timeout=30)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()
