"""Issue #7, part 2: cold start. Each measurement is a fresh Python process that imports one
function's module, as Lambda's runtime does (`app` from the function's folder, the domain package
from its vendor/ folder, the environment the stack gives it), and hands it its first event; it
reports the time from its first line to the answer. The median over 7 processes per function is
set beside the median of a bare Chalice app that creates a boto3 DynamoDB client and answers one
GetItem (bench/bare_app.py), measured in the same run, interleaved. Target: at most 1.3 times the
bare app.

The first event of each function is the one its cold starts serve most: the storefront's first
call of a shopper's visit (`GET /shops`), a manager's first call after signing in (`GET
/enterprises`, with the claims of API Gateway's Cognito authorizer, as on AWS), and the scheduler's
15-minute sweep (2,920 a month, each likely cold, against a few openings and closings). The
heavier first events are measured beside them, as informative figures: a cycle's products page
(30 offers), the admin verifying the token itself (as locally, where no authorizer stands in
front), and a closing that emails 3 producers.

Bytecode is warm (compiled by a first, unmeasured round) but kept out of the source tree, in a
cache folder of this run (PYTHONPYCACHEPREFIX): Chalice's packaging keys on the vendored files.

Run alone: `.venv/bin/python bench/coldstart.py`."""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import jwt
from chalice.test import Client
from harness import (
    ROOT,
    EmbeddedAWS,
    figure,
    main,
    section,
)
from hubs import HUB, MANAGER, SMALL, add_cycle, build_hub, order_body, post_order
from requests_per_call import schedule

from hubcycle.adapters.aws import client
from hubcycle.clock import clock
from hubcycle.dev import local_token
from hubcycle.local.scheduler_loop import scheduled_event
from hubcycle.local.apps import api_gateway_event, load_function
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.table import create_table

RUNS = 7
TARGET = 1.3
BENCH = ROOT / "bench"
FUNCTIONS = ROOT / "functions"
MARK = "COLDSTART-RESULT "

CHILD = """
import time
started, started_cpu = time.perf_counter(), time.process_time()
import importlib, json, sys
folder, vendor, module_name, entry, event_path = sys.argv[1:6]
sys.path[:0] = [folder] + ([vendor] if vendor else [])
module = importlib.import_module(module_name)
imported = time.perf_counter()

import botocore.endpoint, urllib.request
waited = [0.0]

def timed(send):
    def wait(*args, **kwargs):
        began = time.perf_counter()
        try:
            return send(*args, **kwargs)
        finally:
            waited[0] += time.perf_counter() - began
    return wait

botocore.endpoint.Endpoint._send = timed(botocore.endpoint.Endpoint._send)
urllib.request.urlopen = timed(urllib.request.urlopen)

class Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000

with open(event_path) as f:
    event = json.load(f)
answer = getattr(module, entry)(event, Context())
answered, answered_cpu = time.perf_counter(), time.process_time()
status = answer.get("statusCode", 200) if isinstance(answer, dict) else 200
print(%r + json.dumps({"import_s": imported - started, "first_request_s": answered - imported,
                       "total_s": answered - started, "aws_wait_s": waited[0], "cpu_s": answered_cpu - started_cpu,
                       "status": status,
                       "answer": str(answer)[:300]}), flush=True)
""" % MARK


class Subject:
    """One first event of one function: where its module is, its entry point, its events (one per
    process) and the environment variables the stack sets on it beyond the common ones."""

    def __init__(self, name: str, folder, module: str, entry: str, vendor: str = "", environment: dict | None = None):
        self.name, self.folder, self.module, self.entry, self.vendor = name, str(folder), module, entry, vendor
        self.environment = environment or {}
        self.events: list[str] = []
        self.results: list[dict] = []

    def command(self, event_path: str, *python_options: str) -> list[str]:
        return [sys.executable, *python_options, "-c", CHILD, self.folder, self.vendor, self.module, self.entry,
                event_path]


def function(name: str, folder: str, entry: str, environment: dict | None = None) -> Subject:
    return Subject(name, FUNCTIONS / folder, "app", entry, vendor=str(FUNCTIONS / folder / "vendor"),
                   environment=environment)


def child_environment(cache: str, subject: Subject) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"PYTHONPYCACHEPREFIX": cache, "HUBCYCLE_TABLE": "hubcycle", "POWERTOOLS_METRICS_NAMESPACE": "hubcycle",
                **subject.environment})
    return env


AS_DEPLOYED = {"HUBCYCLE_API_GATEWAY_VERIFIES_TOKENS": "true"}
"""What infra/synth.py sets that changes a first request's path (the admin's token check)."""
IDLE_TABLE = "hubcycle-idle"
"""The sweeps' table: nothing due there, as in most quarters of an hour (in the main table the
closings measured below are due, and a sweep would make them before them)."""


def prepare(aws: EmbeddedAWS, folder: str) -> list[Subject]:
    """A small hub selling now, and one due closing per scheduler process (each closes its own
    cycle, with orders from every producer): the data each first event reads."""
    aws.reset()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    hub = build_hub(SMALL, "selling", now - timedelta(days=2), now + timedelta(days=1))
    closes = now - timedelta(minutes=1)
    clock.freeze(closes - timedelta(hours=1))
    cycle_ids = [f"closing-{n}" for n in range(RUNS + 1)]
    selling = OrderCycleRepository().get("selling")
    with Client(load_function("shop").app) as shop:
        for cycle_id in cycle_ids:
            add_cycle(selling.model_copy(update={"id": cycle_id, "closes_at": closes}), hub)
            schedule(cycle_id, "open", now - timedelta(days=2))
            for n, variant_id in enumerate(hub.spread(len(hub.producer_ids))):
                response = post_order(shop, cycle_id, order_body([variant_id], email=f"s{n}@example.org"), None)
                assert response.status_code == 201, response.body
    clock.reset()
    create_table(client("dynamodb"), IDLE_TABLE)
    token = local_token(MANAGER)
    verified = {k: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in jwt.decode(token, options={"verify_signature": False}).items()}
    bearer = {"Authorization": f"Bearer {token}"}
    subjects = {
        "bare": (Subject("bare", BENCH, "bare_app", "app"),
                 lambda n: api_gateway_event("GET", "/enterprises/{enterprise_id}", {"enterprise_id": HUB})),
        "shop": (function("shop", "shop", "app"), lambda n: api_gateway_event("GET", "/shops", {})),
        "admin": (function("admin", "admin", "app", AS_DEPLOYED),
                  lambda n: api_gateway_event("GET", "/enterprises", {}, headers=bearer, claims=verified)),
        "scheduler": (function("scheduler", "scheduler", "sweep", {"HUBCYCLE_TABLE": IDLE_TABLE}),
                      lambda n: scheduled_event(now)),
        "shop.products_page": (function("shop.products_page", "shop", "app"),
                               lambda n: api_gateway_event("GET", "/shops/{shop_id}/cycles/{cycle_id}/products",
                                                     {"shop_id": HUB, "cycle_id": "selling"})),
        "admin.token_verified_in_app": (function("admin.token_verified_in_app", "admin", "app"),
                                        lambda n: api_gateway_event("GET", "/enterprises", {}, headers=bearer)),
        "scheduler.closing": (function("scheduler.closing", "scheduler", "on_schedule"),
                              lambda n: {"order_cycle_id": cycle_ids[n], "action": "close",
                                         "due_at": closes.isoformat()}),
    }
    for subject, event in subjects.values():
        for n in range(RUNS + 1):
            path = os.path.join(folder, f"{subject.name}-{n}.json")
            with open(path, "w") as f:
                json.dump(event(n), f)
            subject.events.append(path)
    return [subject for subject, _ in subjects.values()]


def run_child(subject: Subject, n: int, cache: str, *python_options: str) -> tuple[dict, str]:
    started = time.perf_counter()
    done = subprocess.run(subject.command(subject.events[n], *python_options), env=child_environment(cache, subject),
                          capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{subject.name} cold start failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    result = json.loads(lines[-1][len(MARK):])
    if result["status"] != 200:
        raise RuntimeError(f"{subject.name}'s first request answered {result['status']}: {result['answer']}")
    result["wall_s"] = wall
    return result, done.stderr


def import_profile(subject: Subject, cache: str) -> Counter:
    """Self time of each top-level package imported (python -X importtime), in milliseconds."""
    _, stderr = run_child(subject, 0, cache, "-X", "importtime")
    by_package: Counter = Counter()
    for line in stderr.splitlines():
        found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|(\s*)(\S+)", line)
        if found:
            by_package[found.group(3).split(".")[0]] += int(found.group(1)) / 1000
    return by_package


MAIN = ("shop", "admin", "scheduler")


def run(aws: EmbeddedAWS) -> dict[str, dict[str, float]]:
    section(f"2. Cold start: median of {RUNS} fresh processes (import + first request), against a bare Chalice app")
    with tempfile.TemporaryDirectory(prefix="hubcycle-coldstart-") as folder:
        subjects = prepare(aws, folder)
        cache = os.path.join(folder, "pycache")
        for subject in subjects:  # round 0 compiles the bytecode into the cache: not measured
            run_child(subject, 0, cache)
        for n in range(1, RUNS + 1):
            for subject in subjects:
                subject.results.append(run_child(subject, n, cache)[0])
        profiles = {s.name: import_profile(s, cache) for s in subjects if s.name in ("bare", *MAIN)}

    def median(subject: Subject, key: str) -> float:
        return statistics.median(r[key] for r in subject.results)

    bare = subjects[0]
    for subject in subjects:
        for result in subject.results:
            result["own_s"] = result["total_s"] - result["aws_wait_s"]
    ratios = {s.name: median(s, "total_s") / median(bare, "total_s") for s in subjects[1:]}
    for name in MAIN:
        figure(f"coldstart.{name}.ratio", round(ratios[name], 2))
    missed = [f"{n} {ratios[n]:.2f}" for n in MAIN if ratios[n] > TARGET]
    figure("coldstart.target", f"≤ {TARGET}× the bare app, each function's most frequent first request: "
                               + ("met" if not missed else "missed by " + ", ".join(missed)))
    for name in ratios:
        if name not in MAIN:
            figure(f"coldstart.{name}.ratio", round(ratios[name], 2))
    for subject in subjects[1:]:
        figure(f"coldstart.{subject.name}.ratio_without_aws_wait",
               round(median(subject, "own_s") / median(bare, "own_s"), 2))
        figure(f"coldstart.{subject.name}.ratio_of_cpu_time", round(median(subject, "cpu_s") / median(bare, "cpu_s"), 2))
    for subject in subjects:
        figure(f"coldstart.{subject.name}.total_ms", round(median(subject, "total_s") * 1000))
        figure(f"coldstart.{subject.name}.import_ms", round(median(subject, "import_s") * 1000))
        figure(f"coldstart.{subject.name}.first_request_ms", round(median(subject, "first_request_s") * 1000))
        figure(f"coldstart.{subject.name}.aws_wait_ms", round(median(subject, "aws_wait_s") * 1000))
        figure(f"coldstart.{subject.name}.cpu_ms", round(median(subject, "cpu_s") * 1000))
        figure(f"coldstart.{subject.name}.process_wall_ms", round(median(subject, "wall_s") * 1000))
        if subject.name in profiles:
            top = ", ".join(f"{package} {ms:.0f}" for package, ms in profiles[subject.name].most_common(6))
            figure(f"coldstart.{subject.name}.import_self_ms_by_package", top)
    return {s.name: {key: median(s, key) for key in ("total_s", "own_s", "import_s", "aws_wait_s", "cpu_s")} for s in subjects}


if __name__ == "__main__":
    main(run)
