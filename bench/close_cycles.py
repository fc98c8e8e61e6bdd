"""Close many order cycles through the scheduler function's handler, on an embedded AWS of its
own (moto server), and print what it cost: emails sent, AWS requests per cycle, wall time.

    .venv/bin/python bench/close_cycles.py [--cycles 200 --producers 20 --orders 10]

Each cycle has every producer as a supplier (one variant each) and `--orders` orders spreading
lines over all producers, so each closing sends one email per producer. Cycles are closed one
after another, as one Lambda instance would; then a sweep and a second invocation of every
schedule check that nothing is sent twice."""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "layers" / "domain"))
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

from hubcycle.adapters.aws import client  # noqa: E402 - after the path and environment above
from hubcycle.clock import clock  # noqa: E402
from hubcycle.enterprises import Enterprise  # noqa: E402
from hubcycle.local.apps import LambdaContext, load_function  # noqa: E402
from hubcycle.local.embedded_aws import point_at, provision, start_moto  # noqa: E402
from hubcycle.local.mailbox import sent_mail  # noqa: E402
from hubcycle.local.scheduler_loop import scheduled_event  # noqa: E402
from hubcycle.local.system import free_port  # noqa: E402
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange  # noqa: E402
from hubcycle.orders import LineItem, Order, OrderCustomer  # noqa: E402
from hubcycle.repository.base import Repository  # noqa: E402
from hubcycle.repository.enterprises import EnterpriseRepository  # noqa: E402
from hubcycle.repository.order_cycles import cycle_item, participation_items  # noqa: E402
from hubcycle.repository.orders import order_item  # noqa: E402

CLOSES = datetime(2026, 11, 23, 18, 0, tzinfo=timezone.utc)
HUB = "bench-hub"


def load(cycles: int, producers: int, orders: int) -> list[str]:
    """Write the hub, the producers, the cycles (opened already) and their orders."""
    enterprises = EnterpriseRepository()
    enterprises.create(Enterprise(id=HUB, name="Bench Hub", kind="hub", email="hub@bench.example.org",
                                  owner_email="owner@bench.example.org", timezone="Europe/Paris"))
    producer_ids = [f"producer-{n:02d}" for n in range(producers)]
    for n, producer_id in enumerate(producer_ids):
        enterprises.create(Enterprise(id=producer_id, name=f"Producer {n}", kind="profile", is_producer=True,
                                      email=f"{producer_id}@bench.example.org", owner_email="owner@bench.example.org",
                                      language="fr" if n % 2 else "en"))
    items: list[dict] = []
    cycle_ids = [f"bench-{n:04d}" for n in range(cycles)]
    for cycle_id in cycle_ids:
        cycle = OrderCycle(
            id=cycle_id, coordinator_id=HUB, name=f"Cycle {cycle_id}", opens_at=CLOSES - timedelta(days=7),
            opened_at=CLOSES - timedelta(days=7), closes_at=CLOSES, automatic_notifications=True,
            incoming=[IncomingExchange(supplier_id=p, variant_ids=[f"{p}-v"], receival_instructions="Barn, 8am")
                      for p in producer_ids],
            outgoing=[OutgoingExchange(distributor_id=HUB, variant_ids=[f"{p}-v" for p in producer_ids],
                                       ready_for="Saturday")],
        )
        items += [cycle_item(cycle), *participation_items(cycle).values()]
        items += [order_item(order) for order in _orders(cycle_id, producer_ids, orders)]
    Repository().batch_write(puts=items)
    return cycle_ids


def _orders(cycle_id: str, producer_ids: list[str], count: int) -> list[Order]:
    """`count` orders; line i of order k is from producer (k + i * count) mod producers, so every
    producer appears when count * lines >= producers."""
    lines_per_order = -(-len(producer_ids) // count)
    orders = []
    for k in range(count):
        suppliers = sorted({producer_ids[(k + i * count) % len(producer_ids)] for i in range(lines_per_order)})
        lines = [LineItem(variant_id=f"{p}-v", supplier_id=p, product_name=f"Product of {p}", variant_name="1 kg",
                          quantity=k % 3 + 1, base_price="2.50", price="3.00", total=Decimal("3.00") * (k % 3 + 1))
                 for p in suppliers]
        orders.append(Order(id=f"{cycle_id}-o{k}", number=str(k + 1), order_cycle_id=cycle_id, distributor_id=HUB,
                            customer=OrderCustomer(email=f"c{k}@bench.example.org", name=f"Customer {k}"), items=lines,
                            shipping_method_id="pickup", payment_method_id="cash",
                            created_at=CLOSES - timedelta(hours=k + 1)))
    return orders


def count_requests() -> Counter:
    counts: Counter = Counter()

    def count(event_name: str, **_):
        _, service, operation = event_name.split(".", 2)
        counts[f"{service}.{operation}"] += 1

    for service in ("dynamodb", "sesv2", "events"):
        client(service).meta.events.register("before-call.*.*", count)
    return counts


def close_all(scheduler, cycle_ids: list[str]) -> tuple[Counter, list[float]]:
    """Invoke each cycle's closing schedule; the counts it reports and each invocation's duration.
    The handler's metrics (EMF lines on stdout, as on Lambda) are dropped."""
    context = LambdaContext("hubcycle-scheduler")
    totals: Counter = Counter()
    durations = []
    with contextlib.redirect_stdout(io.StringIO()):
        for cycle_id in cycle_ids:
            started = time.perf_counter()
            totals.update(scheduler.on_schedule(
                {"order_cycle_id": cycle_id, "action": "close", "due_at": CLOSES.isoformat()}, context))
            durations.append(time.perf_counter() - started)
    return totals, durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=200)
    parser.add_argument("--producers", type=int, default=20)
    parser.add_argument("--orders", type=int, default=10, help="orders per cycle")
    args = parser.parse_args()

    port = free_port()
    server = start_moto(port)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        point_at(endpoint)
        provision()
        started = time.perf_counter()
        cycle_ids = load(args.cycles, args.producers, args.orders)
        loaded = time.perf_counter() - started

        scheduler = load_function("scheduler")
        clock.freeze(CLOSES + timedelta(seconds=1))
        requests = count_requests()
        started = time.perf_counter()
        totals, durations = close_all(scheduler, cycle_ids)
        closing = time.perf_counter() - started
        closing_requests = Counter(requests)

        clock.advance(timedelta(minutes=15))
        again, _ = close_all(scheduler, cycle_ids)
        with contextlib.redirect_stdout(io.StringIO()):
            again.update(scheduler.sweep(scheduled_event(clock.now()), LambdaContext("hubcycle-scheduler")))
        mailbox = sent_mail()
    finally:
        server.stop()

    n = len(cycle_ids)
    dynamodb = {k.split(".", 1)[1]: v for k, v in sorted(closing_requests.items()) if k.startswith("dynamodb.")}
    durations.sort()
    print(f"cycles closed: {totals['CyclesClosed']} of {n}")
    print(f"producers per cycle: {args.producers}")
    print(f"orders per cycle: {args.orders}")
    print(f"emails sent: {totals['ProducerEmailsSent']}")
    print(f"emails in the mailbox: {len(mailbox)}")
    print(f"email failures: {totals['ProducerEmailFailures']}")
    print(f"events published: {totals['EventsPublished']}")
    print(f"sent again by a second invocation of every schedule and a sweep: {again['ProducerEmailsSent']}")
    print(f"dynamodb requests per cycle: {sum(dynamodb.values()) / n:.1f}")
    print("dynamodb requests per cycle by operation: " + ", ".join(f"{op} {c / n:.1f}" for op, c in dynamodb.items()))
    print(f"ses requests per cycle: {closing_requests['sesv2.SendEmail'] / n:.1f}")
    print(f"eventbridge requests per cycle: {closing_requests['eventbridge.PutEvents'] / n:.1f}")
    print(f"load time: {loaded:.1f} s")
    print(f"wall time: {closing:.1f} s")
    print(f"wall time per cycle, median: {durations[n // 2] * 1000:.0f} ms")
    print(f"wall time per cycle, 95th percentile: {durations[int(n * 0.95)] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
