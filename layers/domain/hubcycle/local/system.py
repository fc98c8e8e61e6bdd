"""The whole local system in one object: used by `make run` and by the tests that go over HTTP."""
from __future__ import annotations

import json
import os
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hubcycle.local.apps import ServedApp
from hubcycle.local.embedded_aws import LocalAccount, point_at, provision, start_moto
from hubcycle.local.scheduler_loop import SchedulerLoop
from hubcycle.local.storefront_server import StorefrontServer


class PortInUse(SystemExit):
    pass


def require_free(port: int, what: str, variable: str) -> None:
    """Fail at once, with what to do, rather than half-start beside another program. A port that
    only the last run's closed connections hold (TIME_WAIT) is free: the servers reuse it."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise PortInUse(f"port {port} ({what}) is in use: stop the other program "
                            f"(another `make run`?) or choose another port with {variable}=...") from None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Ports:
    storefront: int = 8000
    shop: int = 8001
    admin: int = 8002
    aws: int = 8003

    @classmethod
    def from_environment(cls) -> "Ports":
        env = os.environ.get
        return cls(
            storefront=int(env("HUBCYCLE_STOREFRONT_PORT", 8000)),
            shop=int(env("HUBCYCLE_SHOP_PORT", 8001)),
            admin=int(env("HUBCYCLE_ADMIN_PORT", 8002)),
            aws=int(env("HUBCYCLE_AWS_PORT", 8003)),
        )

    @classmethod
    def free(cls) -> "Ports":
        return cls(free_port(), free_port(), free_port(), free_port())


def running_file() -> Path:
    """Where `make run` says which embedded AWS it serves, for the token command run beside it."""
    return Path(tempfile.gettempdir()) / f"hubcycle-local-{os.getuid()}.json"


def announce_running(system: "LocalSystem") -> None:
    running_file().write_text(json.dumps({"pid": os.getpid(), "aws_endpoint": system.aws_endpoint}))


def withdraw_running() -> None:
    """Forget this process's announcement (not another `make run`'s, started since)."""
    running = running_aws_endpoint()
    if running and running[1] == os.getpid():
        running_file().unlink(missing_ok=True)


def running_aws_endpoint() -> tuple[str, int] | None:
    """(endpoint, pid) of the embedded AWS of the `make run` running now, if one is."""
    try:
        running = json.loads(running_file().read_text())
        os.kill(running["pid"], 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return running["aws_endpoint"], running["pid"]


class LocalSystem:
    def __init__(self, ports: Ports, scheduler_poll_seconds: float = 0.5, run_scheduler: bool = True,
                 embedded_aws: str | None = None):
        """`embedded_aws`: the endpoint of a moto server already running (the tests share one)."""
        self._own_aws = embedded_aws is None
        self.ports = ports
        self.aws_endpoint = embedded_aws or f"http://127.0.0.1:{ports.aws}"
        self.shop_url = f"http://127.0.0.1:{ports.shop}"
        self.admin_url = f"http://127.0.0.1:{ports.admin}"
        self.storefront_url = f"http://127.0.0.1:{ports.storefront}"
        self.console_url = f"{self.storefront_url}/console/"
        self.mailbox_url = f"{self.storefront_url}/_local/mail"
        self._scheduler_poll_seconds = scheduler_poll_seconds
        self._run_scheduler = run_scheduler
        self._parts: list = []
        self.account: LocalAccount | None = None
        self.scheduler: SchedulerLoop | None = None

    def start(self) -> "LocalSystem":
        wanted = [(self.ports.storefront, "storefront", "HUBCYCLE_STOREFRONT_PORT"),
                  (self.ports.shop, "shop API", "HUBCYCLE_SHOP_PORT"),
                  (self.ports.admin, "admin API", "HUBCYCLE_ADMIN_PORT")]
        if self._own_aws:
            wanted.append((self.ports.aws, "embedded AWS", "HUBCYCLE_AWS_PORT"))
        for port, what, variable in wanted:
            require_free(port, what, variable)
        if self._own_aws:
            self._parts.append(start_moto(self.ports.aws))
        point_at(self.aws_endpoint)
        os.environ["HUBCYCLE_STOREFRONT_ORIGIN"] = self.storefront_url
        os.environ["HUBCYCLE_CONSOLE_URL"] = f"{self.storefront_url}/console/"
        self.account = provision()
        self._parts.append(ServedApp("shop", self.ports.shop).start())
        self._parts.append(ServedApp("admin", self.ports.admin).start())
        self._parts.append(StorefrontServer(self.ports.storefront, self.shop_url, admin_api_url=self.admin_url).start())
        if self._run_scheduler:  # the scheduler function has no HTTP API: EventBridge calls it
            self.scheduler = SchedulerLoop(poll_seconds=self._scheduler_poll_seconds).start()
            self._parts.append(self.scheduler)
        return self

    def stop(self) -> None:
        for part in reversed(self._parts):
            part.stop()
        self._parts.clear()

    def __enter__(self) -> "LocalSystem":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
