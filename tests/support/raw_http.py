"""HTTP/1.1 over a bare socket, for what an HTTP client library will not send: a body shorter than
its `Content-Length`, or one that stalls halfway."""

import json
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float  # from the end of what was sent to the end of the answer
    closed: bool  # the server closed the connection after answering

    def json(self):
        return json.loads(self.body)


def send_partial(base_url: str, method: str, path: str, *, headers: dict[str, str], body: bytes,
                 wait_seconds: float) -> RawAnswer:
    """Send the request line, `headers` and `body` (which may be shorter than the Content-Length
    given in `headers`), then read the answer for at most `wait_seconds` (socket.timeout otherwise)."""
    address = urlsplit(base_url)
    lines = [f"{method} {path} HTTP/1.1", f"Host: {address.hostname}:{address.port}",
             *(f"{name}: {value}" for name, value in headers.items())]
    with socket.create_connection((address.hostname, address.port), timeout=wait_seconds) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        sent_at = time.monotonic()
        status, answer_headers, answer_body = _read_answer(sock)
        seconds = time.monotonic() - sent_at
        return RawAnswer(status, answer_headers, answer_body, seconds, closed=_closed(sock))


def _read_answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"the server closed the connection without an answer: {received!r}")
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip()
               for name, _, value in (line.partition(":") for line in header_lines)}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def _closed(sock: socket.socket) -> bool:
    sock.settimeout(1)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
