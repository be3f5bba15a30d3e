"""A small HTTP server on 127.0.0.1 in a thread of its own: started, used, stopped."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

HANG_UP = "hang_up"  # a scripted fault: take the request, then close the connection without answering


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StandIn:
    """Subclasses answer `handle(method, path, headers, body)` with (status, JSON body), or HANG_UP."""

    def __init__(self, outbox: str | Path | None = None, port: int | None = None):
        self.outbox = Path(outbox) if outbox else None
        self.port = port or free_port()
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, in order
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any] | str:
        raise NotImplementedError

    def start(self) -> Self:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with stand_in.lock:
                    stand_in.requests.append((self.command, self.path))
                answer = stand_in.handle(self.command, self.path, self.headers, body)
                if isinstance(answer, str):  # HANG_UP
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, payload = answer
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def keep(self, suffix: str, name: str, text: str) -> None:
        """Write what was accepted into the outbox folder, beside the demo's .eml files."""
        if self.outbox is None:
            return
        self.outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        safe = "".join(ch if ch.isalnum() else "_" for ch in name)
        (self.outbox / f"{stamp}_{safe}.{suffix}").write_text(text, encoding="utf-8")
