"""Load the three Chalice apps into this process and serve each on its port, as API Gateway
would. Every function's module is named `app`, so each is loaded under a name of its own."""
from __future__ import annotations

import importlib.util
import json
import sys
import threading
import uuid
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

from chalice.config import Config
from chalice.local import (ChaliceRequestHandler, CustomLocalChalice, ForbiddenError, LocalChalice, LocalDevServer,
                           LocalGatewayException)

ROOT = Path(__file__).resolve().parents[4]
FUNCTIONS = ("shop", "admin", "scheduler")


def load_function(name: str) -> ModuleType:
    """Import functions/<name>/app.py as module `hubcycle_<name>_app` (loaded once)."""
    module_name = f"hubcycle_{name}_app"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "functions" / name / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


class LambdaContext:
    """What the Lambda runtime passes as `context`, enough for Chalice and powertools."""

    def __init__(self, function_name: str):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def api_gateway_event(method: str, resource: str, path_parameters: dict | None = None,
                      headers: dict | None = None, claims: dict | None = None) -> dict:
    """The event API Gateway's REST proxy integration hands a function, for invoking a handler as
    Lambda does (tests, benchmarks); `claims`: those its Cognito authorizer verified, all strings,
    as it passes them."""
    path = resource.format(**(path_parameters or {}))
    headers = {"host": "api.example.org", **{k.lower(): v for k, v in (headers or {}).items()}}
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters or None, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "path": f"/api{path}", "stage": "api",
                           "identity": {"sourceIp": "127.0.0.1"}, "requestId": str(uuid.uuid4()),
                           **({"authorizer": {"claims": claims}} if claims else {})},
        "body": None, "isBase64Encoded": False,
    }


class LocalHTTPServer(ThreadingHTTPServer):
    """A server of the local system: a thread per connection, room for a burst of connections
    (socketserver's backlog of 5 had the kernel reset most of 100 simultaneous checkouts), and a
    port that a restart binds at once, even while the last run's connections sit in TIME_WAIT."""

    request_queue_size = 1024
    allow_reuse_address = True
    daemon_threads = True


class QuietRequestHandler(ChaliceRequestHandler):
    """API Gateway keeps access logs to itself; the functions' own logs are what matters here."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - overrides http.server
        return

    def _send_error_response(self, error: LocalGatewayException) -> None:
        """A path no route takes: the local gateway answers as API Gateway does by default (403
        "Missing Authentication Token"), the stack's gateway responses as the contract does."""
        if not isinstance(error, ForbiddenError):
            return super()._send_error_response(error)
        body = {"error": {"code": "not_found", "message": "No route answers this path.", "field": None}}
        self._send_http_response(404, {"Content-Type": "application/json"}, json.dumps(body))
        return None


class ServedApp:
    def __init__(self, name: str, port: int, host: str = "127.0.0.1"):
        module = load_function(name)
        self.name = name
        self.url = f"http://{host}:{port}"
        config = Config.create(chalice_stage="dev", app_name=module.app.app_name)
        if not isinstance(module.app, LocalChalice):  # as chalice.local.create_local_server adapts it
            CustomLocalChalice.__bases__ = (LocalChalice, module.app.__class__)
            module.app.__class__ = CustomLocalChalice
        self.server = LocalDevServer(module.app, config, host, port, handler_cls=QuietRequestHandler,
                                     server_cls=LocalHTTPServer)
        self.thread = threading.Thread(target=self.server.serve_forever, name=f"chalice-{name}", daemon=True)

    def start(self) -> "ServedApp":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server.server_close()
