"""The platform's pieces as tests start them: settings, the real app served over HTTP."""

import threading
import time
from dataclasses import dataclass

import uvicorn

from foundation.settings import Settings
from tests.support.ports import free_port

ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef"


def make_settings(tmp_path, database_url: str, **overrides) -> Settings:
    values = dict(
        database_url=database_url,
        home=tmp_path / "home",
        admin_token=ADMIN_TOKEN,
        release_feed_url="file:///nonexistent",
    )
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class LiveServer:
    base_url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(app) -> LiveServer:
    """Run `app` with uvicorn on a free port in a background thread."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test API server did not start")
        time.sleep(0.01)
    return LiveServer(f"http://127.0.0.1:{port}", server, thread)
