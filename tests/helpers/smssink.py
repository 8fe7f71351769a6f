"""A local SMS gateway for the tests: a real HTTP server on a loopback port that records every
POST `{to, text, idempotency_key}` and, like a gateway that honours the key, hands each key to the
phone network once (`delivered`). Faults are scripted per POST:

    sink = SmsSink().start()
    sink.faults += ["accept_then_hang", "500"]   # the next POSTs; then "ok"
    sink.stop(); sink.start(sink.port)          # down, then up on the same address
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SmsSink:
    def __init__(self, *, hang_s: float = 5.0):
        self.hang_s = hang_s
        self.lock = threading.Lock()
        self.posts: list[dict] = []  # every POST body, in order
        self.delivered: dict[str, dict] = {}  # idempotency_key -> the message the phone got
        self.deliveries: Counter[str] = Counter()  # idempotency_key -> times handed to the phone
        self.faults: list[str] = []  # "ok" | "500" | "503" | "400" | "accept_then_hang"
        self.reply_status: str | None = None  # e.g. "delivered": put in the 200 answer's `status`
        self._release = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send"

    def start(self, port: int = 0) -> SmsSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                with sink.lock:
                    sink.posts.append(body)
                    fault = sink.faults.pop(0) if sink.faults else "ok"
                if fault in ("500", "503", "400"):
                    self._answer(int(fault), {"error": "fault"})
                    return
                key = body["idempotency_key"]
                with sink.lock:
                    duplicate = key in sink.delivered
                    if not duplicate:
                        sink.delivered[key] = body
                        sink.deliveries[key] += 1
                if fault == "accept_then_hang":  # accepted, but the answer comes after the sender gave up
                    sink._release.wait(sink.hang_s)
                answer = {"id": "gw-" + key, "duplicate": duplicate}
                if sink.reply_status:
                    answer["status"] = sink.reply_status
                self._answer(200, answer)

            def _answer(self, code: int, doc: dict):
                data = json.dumps(doc).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the sender hung up first
                    pass

        self._release.clear()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def posts_for(self, key: str) -> int:
        with self.lock:
            return sum(1 for p in self.posts if p["idempotency_key"] == key)
