"""What every benchmark shares: its own embedded AWS (a moto server in this process), a counter of
the AWS API calls the code makes, the figure lines `make bench` prints, and API Gateway's event.

The benchmarks drive the real handlers (Chalice's test client, or the scheduler's entry point) on
the same moto server the local system uses, so what they count is what the code asks of AWS."""
from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from collections import Counter
from pathlib import Path

from hubcycle.adapters.aws import client
from hubcycle.local.embedded_aws import point_at, provision, start_moto
from hubcycle.local.system import free_port

ROOT = Path(__file__).resolve().parents[1]
LOG = Path(tempfile.gettempdir()) / "hubcycle-bench.log"
COUNTED_SERVICES = ("dynamodb", "sesv2", "scheduler", "events", "cognito-idp")


_output = sys.stdout


def figure(name: str, value) -> None:
    """One line of `make bench`'s output: `name: value`."""
    if isinstance(value, float):
        value = f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    print(f"{name}: {value}", file=_output, flush=True)


def section(title: str) -> None:
    print(f"# {title}", file=_output, flush=True)


def figures_only(log_path: Path = LOG) -> None:
    """From now on this process's stdout and stderr (the functions' JSON logs and metrics, moto's
    and Chalice's messages) go to `log_path`; only figures and sections reach the terminal."""
    global _output
    _output = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(log, sys.stdout.fileno())
    os.dup2(log, sys.stderr.fileno())
    os.close(log)
    section(f"logs of the functions and of moto: {log_path}")


class EmbeddedAWS:
    """A moto server of this benchmark's own, provisioned as the local system provisions it."""

    def __init__(self):
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        self.server = start_moto(port)
        point_at(self.endpoint)
        self.account = provision()

    def reset(self) -> None:
        """A fresh, provisioned account: no data left from an earlier benchmark."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=30).close()
        point_at(self.endpoint)
        self.account = provision()

    def stop(self) -> None:
        self.server.stop()


class AWSCalls:
    """Counts the AWS API calls of this process by `service.Operation` (botocore's before-call
    event on the clients of hubcycle.adapters.aws), with the time spent waiting for them and an
    estimate of the DynamoDB capacity they consume (`read_units`, `write_units`)."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.read_units = 0.0
        self.write_units = 0.0
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._started = threading.local()

    def __enter__(self) -> "AWSCalls":
        self._clients = [client(s) for s in COUNTED_SERVICES]
        for c in self._clients:
            c.meta.events.register("before-parameter-build.dynamodb.*", self._request)
            c.meta.events.register("before-call.*.*", self._before)
            c.meta.events.register("after-call.*.*", self._after)
        return self

    def __exit__(self, *_) -> None:
        for c in self._clients:
            c.meta.events.unregister("before-parameter-build.dynamodb.*", self._request)
            c.meta.events.unregister("before-call.*.*", self._before)
            c.meta.events.unregister("after-call.*.*", self._after)

    def _request(self, event_name: str, params: dict, **_) -> None:
        units = write_units(event_name.rsplit(".", 1)[1], params)
        with self._lock:
            self.write_units += units

    def _before(self, event_name: str, **_) -> None:
        _, service, operation = event_name.split(".", 2)
        with self._lock:
            self.counts[f"{service}.{operation}"] += 1
        self._started.at = time.perf_counter()

    def _after(self, event_name: str, parsed: dict, **_) -> None:
        elapsed = time.perf_counter() - getattr(self._started, "at", time.perf_counter())
        _, service, operation = event_name.split(".", 2)
        with self._lock:
            self.seconds += elapsed
            if service == "dynamodb":
                self.read_units += read_units(operation, parsed)

    def total(self, service: str) -> int:
        return sum(n for name, n in self.counts.items() if name.startswith(f"{service}."))

    def of(self, *names: str) -> int:
        return sum(self.counts[n] for n in names)

    def breakdown(self, service: str | None = None) -> str:
        """`Operation×n` for each operation, e.g. "Query×1 TransactWriteItems×1"."""
        return " ".join(f"{name.split('.', 1)[1] if service else name}×{n}" for name, n in sorted(self.counts.items())
                        if service is None or name.startswith(f"{service}.")) or "none"


# DynamoDB capacity, as AWS bills on-demand tables: a read unit per 4 KB read (half for an
# eventually consistent read, twice for a transactional one), a write unit per 1 KB written
# (twice in a transaction). Item sizes follow DynamoDB's rule: attribute names plus values.

def item_size(item: dict) -> int:
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict) -> int:
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return len(data.lstrip("-").replace(".", "")) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS"):
        return sum(len(v.encode()) for v in data)
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in data)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in data.items())
    return len(str(data))


def _units(size: int, unit: int) -> int:
    return max(1, -(-size // unit))


def write_units(operation: str, params: dict) -> float:
    """Estimated from the request: what is put is known; an update or delete counts 1 unit per
    item (hubcycle's updates touch small attributes; a larger item costs more on AWS)."""
    if operation == "PutItem":
        return _units(item_size(params["Item"]), 1024)
    if operation in ("UpdateItem", "DeleteItem"):
        return 1
    if operation == "BatchWriteItem":
        return sum(_units(item_size(r["PutRequest"]["Item"]), 1024) if "PutRequest" in r else 1
                   for requests in params["RequestItems"].values() for r in requests)
    if operation == "TransactWriteItems":
        return sum(2 * (_units(item_size(a["Put"]["Item"]), 1024) if "Put" in a else 1) for a in params["TransactItems"])
    return 0


def read_units(operation: str, parsed: dict) -> float:
    """Estimated from the answer (a Query is billed on the items it read, summed; a get per item).
    Reads are counted as eventually consistent, half a unit per 4 KB: strongly consistent and
    transactional reads cost 2 and 4 times that, and hubcycle makes few of them."""
    if operation == "GetItem":
        return 0.5 * _units(item_size(parsed.get("Item", {})), 4096)
    if operation == "Query":
        return 0.5 * _units(sum(item_size(i) for i in parsed.get("Items", [])), 4096)
    if operation == "BatchGetItem":
        return sum(0.5 * _units(item_size(i), 4096) for items in parsed.get("Responses", {}).values() for i in items)
    return 0


def main(*benchmarks) -> None:
    """Run benchmarks (callables taking the EmbeddedAWS) in order, printing figures only; a
    failure prints its traceback where the figures go and exits non-zero."""
    figures_only()
    aws = EmbeddedAWS()
    try:
        for benchmark in benchmarks:
            benchmark(aws)
    except Exception:
        traceback.print_exc(file=_output)
        _output.flush()
        raise SystemExit(1) from None
    finally:
        aws.stop()
