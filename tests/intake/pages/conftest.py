"""Dashboard fixtures: the demo's portfolio, loaded once through the real pipeline and served by the real app."""

from collections.abc import Iterator

import pytest

from tests.support.dashboard import DemoPortfolio, demo_portfolio, signed_in


@pytest.fixture(scope="session")
def portfolio(database_server, tmp_path_factory) -> Iterator[DemoPortfolio]:
    with demo_portfolio(database_server, tmp_path_factory.mktemp("dashboard")) as loaded:
        yield loaded


@pytest.fixture
def admin(portfolio):
    with signed_in(portfolio.base_url, portfolio.admin_token) as client:
        yield client
