"""A release-history server for tests: real HTTP on 127.0.0.1, answers set per path.

`serve(path, *answers)` scripts a path: the answers are given in turn and the
last one repeats; a path nobody scripted answers 404. An answer with an ETag or
Last-Modified behaves like drupal.org's CDN and answers a matching conditional
GET with 304. Every request is recorded, and so is the most requests ever in
flight at once.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    delay_seconds: float = 0.0  # a server slow to answer at all
    drip_seconds: float = 0.0  # a server that sends the body one byte at a time, this far apart

    def is_current_for(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether a conditional GET with these validators gets a 304 (If-None-Match wins, as in RFC 9110)."""
        if if_none_match is not None:
            return self.etag is not None and if_none_match == self.etag
        return if_modified_since is not None and if_modified_since == self.last_modified


NOT_FOUND = Answer(404, b"Not found")


@dataclass(frozen=True)
class SeenRequest:
    path: str
    if_none_match: str | None
    if_modified_since: str | None
    answered: int
    at: float  # time.monotonic() when it arrived


class FeedServer:
    """Start with `with FeedServer() as server:`; `server.base_url` is the feed base."""

    def __init__(self) -> None:
        self._scripts: dict[str, list[Answer]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[SeenRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._httpd = _HTTPServer(("127.0.0.1", 0), _FeedHandler)
        self._httpd.feeds = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="feed-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def serve(self, path: str, *answers: Answer) -> None:
        with self._lock:
            self._scripts[path] = list(answers)

    def requests_to(self, path: str) -> list[SeenRequest]:
        with self._lock:
            return [seen for seen in self.requests if seen.path == path]

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.max_in_flight = self.in_flight

    def __enter__(self) -> "FeedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopping.set()  # wakes handlers still sleeping in a delay or a drip
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _next_answer(self, path: str) -> Answer:
        script = self._scripts.get(path)
        if not script:
            return NOT_FOUND
        return script.pop(0) if len(script) > 1 else script[0]

    @contextmanager
    def _handling(self, path: str, if_none_match: str | None, if_modified_since: str | None) -> Iterator[Answer]:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            answer = self._next_answer(path)
            if answer.status == 200 and answer.is_current_for(if_none_match, if_modified_since):
                answer = Answer(304, etag=answer.etag, last_modified=answer.last_modified)
            self.requests.append(SeenRequest(path, if_none_match, if_modified_since, answer.status, time.monotonic()))
        try:
            yield answer
        finally:
            with self._lock:
                self.in_flight -= 1

    def _pause(self, seconds: float) -> bool:
        """Sleep unless the server is stopping; False when it is."""
        return not (seconds and self._stopping.wait(seconds))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    feeds: FeedServer

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (a timeout under test) closes the socket mid-answer: expected


class _FeedHandler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def do_GET(self) -> None:
        feeds = self.server.feeds
        with feeds._handling(self.path, self.headers.get("If-None-Match"),
                             self.headers.get("If-Modified-Since")) as answer:
            if not feeds._pause(answer.delay_seconds):
                return
            self.send_response(answer.status)
            if answer.etag:
                self.send_header("ETag", answer.etag)
            if answer.last_modified:
                self.send_header("Last-Modified", answer.last_modified)
            if answer.status == 304:
                self.end_headers()
                return
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if not answer.drip_seconds:
                self.wfile.write(answer.body)
                return
            for offset in range(len(answer.body)):
                self.wfile.write(answer.body[offset:offset + 1])
                self.wfile.flush()
                if not feeds._pause(answer.drip_seconds):
                    return

    def log_message(self, format, *args) -> None:
        pass  # requests are recorded on the server; stderr stays quiet
