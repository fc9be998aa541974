"""An HTTP proxy in front of the real intake that answers the first requests with faults.

The push client's retries are tested against the real intake: `fail_next(429,
{"Retry-After": "1"})` answers the next request itself, `drop_next()` closes
the next connection without an answer; every other request goes through to
the intake unchanged. `requests` records what the client sent.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FaultProxy:
    upstream: str
    faults: list[tuple[int, dict[str, str]] | None] = field(default_factory=list)
    requests: list[SeenRequest] = field(default_factory=list)
    url: str = ""

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.faults.append((status, headers or {}))

    def drop_next(self) -> None:
        self.faults.append(None)

    def start(self) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy.requests.append(SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if proxy.faults:
                    fault = proxy.faults.pop(0)
                    if fault is None:
                        self.close_connection = True
                        self.connection.close()
                        return
                    status, headers = fault
                    answer = json.dumps({"error": {"status": status, "code": "injected",
                                                   "message": f"injected {status}", "details": []}}).encode()
                    self._answer(status, {**headers, "Content-Type": "application/json"}, answer)
                    return
                sent = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream = httpx.post(proxy.upstream + self.path, content=body, headers=sent, timeout=60)
                self._answer(upstream.status_code,
                             {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP},
                             upstream.content)

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
