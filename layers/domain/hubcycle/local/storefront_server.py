"""Serve the storefront's build (build/storefront, `make storefront`: what is deployed) as S3 +
CloudFront would, plus what only the local system has:
`config.js` pointing at the local shop API, and the mailbox at /_local/mail. The managers'
console is served under /console/ from its build (build/console, `make console`), with a
`config.js` naming the local admin API and user pool."""
from __future__ import annotations

import gzip
import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

from hubcycle.local.apps import ROOT, LocalHTTPServer
from hubcycle.local.mailbox import MAILBOX
from hubcycle.settings import settings

STOREFRONT = ROOT / "build" / "storefront"
CONSOLE = ROOT / "build" / "console"


class StorefrontHandler(SimpleHTTPRequestHandler):
    shop_api_url = ""
    admin_api_url = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0]
        if path == "/console":
            self.send_response(301)
            self.send_header("Location", "/console/")
            self.end_headers()
        elif path == "/console/config.js":
            config = json.dumps(self.console_config())
            self._send(200, "text/javascript", f"window.HUBCYCLE_CONSOLE_CONFIG = {config};\n".encode())
        elif path.startswith("/console/") and not (CONSOLE / "index.html").is_file():
            self._send(503, "text/plain", b"The console is not built: run `make console`.\n")
        elif not path.startswith("/console/") and not (STOREFRONT / "index.html").is_file():
            self._send(503, "text/plain", b"The storefront is not built: run `make storefront`.\n")
        elif path == "/_local/mail":
            self._send(200, "application/json", MAILBOX.as_json())
        elif path == "/config.js":
            config = {"shopApiUrl": self.shop_api_url, "currency": "EUR"}
            self._send(200, "text/javascript", f"window.HUBCYCLE_CONFIG = {json.dumps(config)};\n".encode())
        elif path.endswith((".js", ".css", ".html", "/")) and "gzip" in self.headers.get("Accept-Encoding", ""):
            self._send_compressed(path)
        else:
            super().do_GET()

    def _send_compressed(self, path: str) -> None:
        """Text files gzipped, as CloudFront serves them (`Compress: true`, infra/core.yaml)."""
        file = Path(self.translate_path(path))
        if file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            super().do_GET()
            return
        body = gzip.compress(file.read_bytes(), compresslevel=6)
        kind = {".js": "text/javascript", ".css": "text/css"}.get(file.suffix, "text/html")
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)

    def console_config(self) -> dict:
        """Read on each request: the tests give each test a new user pool."""
        config = settings()
        return {"adminApiUrl": self.admin_api_url, "userPoolId": config.user_pool_id,
                "userPoolClientId": config.user_pool_client_id, "cognitoEndpoint": config.endpoint_url,
                "local": True, "currency": "EUR"}

    def translate_path(self, path: str) -> str:
        """/console/... comes from the console's build, as the bucket's console/ prefix would."""
        if path.split("?", 1)[0].startswith("/console/"):
            return str(CONSOLE / super().translate_path(path[len("/console"):])[len(self.directory) + 1:])
        return super().translate_path(path)

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
    def __init__(self, port: int, shop_api_url: str, host: str = "127.0.0.1", admin_api_url: str = ""):
        handler = type("Handler", (StorefrontHandler,), {"shop_api_url": shop_api_url, "admin_api_url": admin_api_url})
        self.url = f"http://{host}:{port}"
        self.server = LocalHTTPServer((host, port), partial(handler, directory=str(STOREFRONT)))
        self.thread = threading.Thread(target=self.server.serve_forever, name="storefront", daemon=True)

    def start(self) -> "StorefrontServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
