"""Issue #7, part 1: the AWS API calls each shop route and each scheduler action makes, on the
embedded AWS, for a small hub (3 producers, 30 variants) and a large one (50 producers, 2,000
variants). Targets: browsing a shop's products = 1 DynamoDB request; checkout = 1
TransactWriteItems plus at most 2 reads; closing a cycle = a fixed number of reads plus one SES
send per producer. None of it may grow with the catalogue.

Run alone: `.venv/bin/python bench/requests_per_call.py`."""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from stat import S_ISREG

from chalice.test import Client
from harness import (
    AWSCalls,
    EmbeddedAWS,
    figure,
    main,
    section,
)
from hubs import HUB, LARGE, MANAGER, PLENTY, SMALL, HubSize, build_hub, order_body, post_order

from hubcycle.clock import clock
from hubcycle.dev import local_token
from hubcycle.local.apps import LambdaContext, load_function
from hubcycle.local.scheduler_loop import scheduled_event

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
OPENS, CLOSES = NOW - timedelta(days=2), NOW + timedelta(days=1)
CART_LINES = 10
"""Lines per order; the orders together touch every producer, so closing emails each of them."""
READ_REPEATS = 5
READS = ("dynamodb.GetItem", "dynamodb.Query", "dynamodb.BatchGetItem")


@dataclass
class Calls:
    """The counted calls of one request, how long it took on the embedded AWS (its own work and
    its wait for AWS), what it logged and what it answered."""

    calls: AWSCalls
    seconds: float
    log_bytes: int
    answer: object = None
    extra: dict = field(default_factory=dict)

    @property
    def ddb(self) -> int:
        return self.calls.total("dynamodb")

    @property
    def reads(self) -> int:
        return self.calls.of(*READS)

    @property
    def wait_seconds(self) -> float:
        return self.calls.seconds

    @property
    def own_seconds(self) -> float:
        return self.seconds - self.calls.seconds

    @property
    def answer_bytes(self) -> int:
        return len(getattr(self.answer, "body", b"") or b"")


def _logged() -> int:
    """Bytes written to this process's stdout so far, when it is the benchmark's log file."""
    sys.stdout.flush()
    stat = os.fstat(sys.stdout.fileno())
    return stat.st_size if S_ISREG(stat.st_mode) else 0


def counted(action, repeat: int = 1) -> Calls:
    """Count one call of `action`; with `repeat`, call it that many times and keep the call of
    median duration (a read asks the same of AWS each time: only its duration varies)."""
    runs = []
    for _ in range(repeat):
        logged = _logged()
        with AWSCalls() as calls:
            started = time.perf_counter()
            answer = action()
            seconds = time.perf_counter() - started
        runs.append(Calls(calls, seconds, _logged() - logged, answer))
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def expect(response, status: int):
    if response.status_code != status:
        raise RuntimeError(f"expected {status}, got {response.status_code}: {response.body[:500]!r}")
    return response


def schedule(cycle_id: str, action: str, due: datetime) -> dict:
    """Run the scheduler's handler as the cycle's one-time schedule would."""
    event = {"order_cycle_id": cycle_id, "action": action, "due_at": due.isoformat()}
    return load_function("scheduler").on_schedule(event, LambdaContext("hubcycle-scheduler"))


def measure_hub(aws: EmbeddedAWS, size: HubSize) -> dict[str, Calls]:
    """Build the hub, then count: the shop's three reads, a checkout, the cycle's opening and
    closing (after orders from every producer), and an idle sweep."""
    aws.reset()
    cycle_id = f"week-48-{size.name}"
    clock.freeze(NOW)
    hub = build_hub(size, cycle_id, OPENS, CLOSES)
    measured: dict[str, Calls] = {}
    with Client(load_function("shop").app) as shop:
        measured["shops"] = counted(lambda: expect(shop.http.get("/shops"), 200), READ_REPEATS)
        measured["shop"] = counted(lambda: expect(shop.http.get(f"/shops/{HUB}"), 200), READ_REPEATS)
        measured["products"] = counted(lambda: expect(shop.http.get(f"/shops/{HUB}/cycles/{cycle_id}/products"), 200),
                                       1 if size is LARGE else READ_REPEATS)
        measured["open"] = counted(lambda: schedule(cycle_id, "open", OPENS))
        lines = hub.spread(min(5 * CART_LINES, len(hub.variant_ids)))
        carts = [lines[i : i + CART_LINES] for i in range(0, len(lines), CART_LINES)]
        measured["checkout"] = counted(lambda: expect(post_order(shop, cycle_id, order_body(carts[0]), "first"), 201))
        measured["checkout_without_key"] = counted(
            lambda: expect(post_order(shop, cycle_id, order_body(carts[1]), None), 201))
        warm = [counted(lambda: expect(post_order(shop, cycle_id, order_body(cart, email=f"shopper{n}@example.org"),
                                                  f"more-{n}"), 201)) for n, cart in enumerate(carts[2:])]
        measured["warm_checkout"] = sorted(warm, key=lambda run: run.seconds)[len(warm) // 2]
        # its transaction is refused (the order exists): moto must keep its snapshot to roll back
        measured["checkout_retried"] = counted(lambda: expect(post_order(shop, cycle_id, order_body(carts[0]), "first"),
                                                              201))
    clock.freeze(CLOSES + timedelta(seconds=30))
    measured["close"] = counted(lambda: schedule(cycle_id, "close", CLOSES))
    measured["close"].extra["producers_ordered_from"] = len({hub.supplier_of[v] for v in lines})
    measured["close"].extra["hubs_told"] = 1  # every order is the one hub's: one closing summary
    measured.update(measure_admin(cycle_id, hub))
    measured["sweep"] = counted(lambda: load_function("scheduler").sweep(scheduled_event(CLOSES),
                                                                         LambdaContext("hubcycle-scheduler")))
    clock.reset()
    return measured


ADMIN_ROUTES = ("enterprises", "order_cycles", "order_cycle", "supplier_totals", "orders_report", "variant",
                "incoming")
"""What a manager does in a week, read and written through the admin API (admin.<route>.*)."""


def measure_admin(cycle_id: str, hub) -> dict[str, Calls]:
    """The hub's manager reads its enterprises, cycles, the closed cycle and its two reports and
    re-saves a supplier's incoming exchange; a producer changes a variant's stock."""
    producer = hub.producer_ids[0]
    own = [v for v in hub.variant_ids if hub.supplier_of[v] == producer]
    sent_json = {"Content-Type": "application/json"}
    manager = {"Authorization": f"Bearer {local_token(MANAGER)}", **sent_json}
    grower = {"Authorization": f"Bearer {local_token(f'owner@{producer}.example.org')}", **sent_json}
    cycle = f"/order-cycles/{cycle_id}"
    with Client(load_function("admin").app) as admin:
        requests = {
            "enterprises": lambda: admin.http.get("/enterprises", headers=manager),
            "order_cycles": lambda: admin.http.get(f"/order-cycles?enterprise_id={HUB}", headers=manager),
            "order_cycle": lambda: admin.http.get(cycle, headers=manager),
            "supplier_totals": lambda: admin.http.get(f"{cycle}/reports/supplier-totals", headers=manager),
            "orders_report": lambda: admin.http.get(f"{cycle}/reports/orders", headers=manager),
            "variant": lambda: admin.http.patch(f"/variants/{own[0]}", headers=grower,
                                                body=json.dumps({"on_hand": PLENTY - 1})),
            "incoming": lambda: admin.http.put(f"{cycle}/incoming/{producer}", headers=manager,
                                               body=json.dumps({"variant_ids": own, "fee_ids": [f"{producer}-packing"],
                                                                "receival_instructions": "Crates by 8am."})),
        }
        return {f"admin.{name}": counted(lambda: expect(request(), 200)) for name, request in requests.items()}


def report(by_size: dict[str, dict[str, Calls]]) -> None:
    small, large = by_size[SMALL.name], by_size[LARGE.name]
    figure("shop.products.ddb_requests.small", small["products"].ddb)
    figure("shop.products.ddb_requests.large", large["products"].ddb)
    figure("shop.checkout.ddb_requests", max(small["checkout"].ddb, large["checkout"].ddb))
    figure("scheduler.close.ddb_requests.small", small["close"].ddb)
    figure("scheduler.close.ddb_requests.large", large["close"].ddb)
    figure("scheduler.close.ses_sends", large["close"].calls.counts["sesv2.SendEmail"])
    for size, measured in by_size.items():
        for name, label in (("shops", "shop.shops"), ("shop", "shop.shop"), ("products", "shop.products"),
                            ("checkout", "shop.checkout"), ("checkout_retried", "shop.checkout_retried"),
                            ("checkout_without_key", "shop.checkout_without_key"),
                            ("open", "scheduler.open"), ("close", "scheduler.close"), ("sweep", "scheduler.sweep")):
            calls = measured[name]
            figure(f"{label}.calls.{size}", calls.calls.breakdown())
            figure(f"{label}.ddb_reads.{size}", calls.reads)
            figure(f"{label}.ms_on_embedded_aws.{size}", round(calls.seconds * 1000))
        for route in ADMIN_ROUTES:
            calls = measured[f"admin.{route}"]
            figure(f"admin.{route}.calls.{size}", calls.calls.breakdown())
            figure(f"admin.{route}.ms_on_embedded_aws.{size}", round(calls.seconds * 1000))
        figure(f"scheduler.close.ses_sends.{size}", measured["close"].calls.counts["sesv2.SendEmail"])
        figure(f"scheduler.close.producers_ordered_from.{size}", measured["close"].extra["producers_ordered_from"])
    for size, measured in by_size.items():
        figure(f"shop.products.read_units.{size}", measured["products"].calls.read_units)
        figure(f"shop.checkout.read_units.{size}", measured["checkout"].calls.read_units)
    products = [by_size[size]["products"] for size in by_size]
    figure("shop.products.target", f"{'met' if all(p.ddb == 1 for p in products) else 'missed'}: "
                                   + ", ".join(f"{size} {by_size[size]['products'].ddb} request(s), "
                                               f"{by_size[size]['products'].calls.read_units:g} read units"
                                               for size in by_size))
    closes = [by_size[size]["close"] for size in by_size]
    fixed_reads = len({c.reads for c in closes}) == 1
    one_send_each = all(c.calls.counts["sesv2.SendEmail"] == c.extra["producers_ordered_from"] + c.extra["hubs_told"]
                        for c in closes)
    figure("scheduler.close.target", f"{'met' if fixed_reads and one_send_each else 'missed'}: "
                                     + ", ".join(f"{size} {c.reads} reads, {c.calls.counts['sesv2.SendEmail']} sends for "
                                                 f"{c.extra['producers_ordered_from']} producers and "
                                                 f"{c.extra['hubs_told']} hub, {c.ddb - c.reads} writes"
                                                 for size, c in zip(by_size, closes))
                                     + " (stopping sales, one transaction, then one per email and event marking it sent)")
    checkout, keyless = large["checkout"], large["checkout_without_key"]
    transactions = checkout.calls.counts["dynamodb.TransactWriteItems"]
    others = checkout.ddb - transactions - checkout.reads
    within = transactions == 1 and checkout.reads <= 2
    figure("shop.checkout.target", f"{'met' if within and not others else 'missed'}: TransactWriteItems×{transactions} "
                                   f"+ {checkout.reads} reads + {others} other writes, with an Idempotency-Key; "
                                   f"without a key {keyless.ddb} requests")


def run(aws: EmbeddedAWS) -> dict[str, dict[str, Calls]]:
    section("1. AWS requests per call (embedded AWS; hubs of 3 producers/30 variants and 50/2,000)")
    by_size = {size.name: measure_hub(aws, size) for size in (SMALL, LARGE)}
    report(by_size)
    return by_size


if __name__ == "__main__":
    main(run)
