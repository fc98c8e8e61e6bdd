"""Serve the static storefront as S3 + CloudFront would, plus what only the local system has:
`config.js` pointing at the local shop API, and the mailbox at /_local/mail."""
from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler

from hubcycle.local.apps import ROOT, LocalHTTPServer
from hubcycle.local.mailbox import MAILBOX

STOREFRONT = ROOT / "storefront"


class StorefrontHandler(SimpleHTTPRequestHandler):
    shop_api_url = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == "/_local/mail":
            self._send(200, "application/json", MAILBOX.as_json())
        elif path == "/config.js":
            config = {"shopApiUrl": self.shop_api_url, "currency": "EUR"}
            self._send(200, "text/javascript", f"window.HUBCYCLE_CONFIG = {json.dumps(config)};\n".encode())
        else:
            super().do_GET()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - overrides http.server
        return


class StorefrontServer:
    def __init__(self, port: int, shop_api_url: str, host: str = "127.0.0.1"):
        handler = type("Handler", (StorefrontHandler,), {"shop_api_url": shop_api_url})
        self.url = f"http://{host}:{port}"
        self.server = LocalHTTPServer((host, port), partial(handler, directory=str(STOREFRONT)))
        self.thread = threading.Thread(target=self.server.serve_forever, name="storefront", daemon=True)

    def start(self) -> "StorefrontServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
