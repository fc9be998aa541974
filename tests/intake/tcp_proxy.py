"""A TCP proxy in front of PostgreSQL whose connections a test can break.

`cut()` drops every connection and refuses new ones (the database "goes
down"); `restore()` lets connections through again; `cut_before(marker)`
drops a connection as soon as the client sends bytes containing `marker`
(e.g. `b"COMMIT"`), without forwarding them — a failure at the worst moment.
"""

import glob
import socket
import threading
from contextlib import suppress
from urllib.parse import quote

from psycopg.conninfo import conninfo_to_dict


class BreakableProxy:
    def __init__(self, database_url: str) -> None:
        params = conninfo_to_dict(database_url)
        self._params = params
        host = params.get("host") or "127.0.0.1"
        port = int(params.get("port") or 5432)
        if host.startswith("/"):
            sockets = [path for path in glob.glob(f"{host}/.s.PGSQL.*") if not path.endswith(".lock")]
            self._upstream: tuple = (socket.AF_UNIX, sockets[0])
        else:
            self._upstream = (socket.AF_INET, (host, port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._refusing = False
        self._marker: bytes | None = None
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        user = quote(self._params.get("user") or "postgres")
        password = self._params.get("password")
        credentials = f"{user}:{quote(password)}" if password else user
        return f"postgresql://{credentials}@127.0.0.1:{self.port}/{self._params['dbname']}?sslmode=disable"

    def cut(self) -> None:
        with self._lock:
            self._refusing = True
            for sock in list(self._open):
                _close(sock)
            self._open.clear()

    def restore(self) -> None:
        with self._lock:
            self._refusing = False
            self._marker = None

    def cut_before(self, marker: bytes) -> None:
        self._marker = marker

    def close(self) -> None:
        self._closed = True
        self.cut()
        _close(self._listener)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._refusing:
                    _close(client)
                    continue
                family, address = self._upstream
                server = socket.socket(family, socket.SOCK_STREAM)
                try:
                    server.connect(address)
                except OSError:
                    _close(client)
                    continue
                self._open.update({client, server})
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        try:
            while data := source.recv(65536):
                if from_client and self._marker is not None and self._marker in data:
                    self._marker = None
                    break
                target.sendall(data)
        except OSError:
            pass
        with self._lock:
            for sock in (source, target):
                _close(sock)
                self._open.discard(sock)


def _close(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()
