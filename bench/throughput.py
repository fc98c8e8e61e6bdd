"""Issue #7, part 4: throughput. Orders per second through the shop handler, one after the other,
with this whole process (the handler and the embedded AWS serving it) held to one core, for carts
of 1, 10 and 50 lines spread over the hub's producers (half the variants counted, half on
demand: a 50-line order of counted variants only would need 103 writes, over DynamoDB's 100 per
transaction, and is refused with 422 too_many_items).

Besides orders per second, the time per order is split into the handler's own work and the time
spent waiting for the embedded AWS (moto on the same core): the first is what Lambda would bill.

Run alone: `.venv/bin/python bench/throughput.py`."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from datetime import timedelta

from chalice.test import Client
from harness import AWSCalls, EmbeddedAWS, figure, main, section
from hubs import HubSize, build_hub, order_body, post_order
from requests_per_call import NOW, expect

from hubcycle.clock import clock
from hubcycle.local.apps import load_function

CART_SIZES = (1, 10, 50)
SECONDS_PER_SIZE = 8.0
MIN_ORDERS, WARM_UP = 10, 3
HUB_SIZE = HubSize("throughput", producers=5, variants=60)
CYCLE = "busy"


@contextmanager
def one_core():
    """Hold every thread of this process (moto's server threads included) to one CPU."""
    threads = [int(t) for t in os.listdir("/proc/self/task")]
    before = {t: os.sched_getaffinity(t) for t in threads}
    core = min(os.sched_getaffinity(0))
    for thread in threads:
        os.sched_setaffinity(thread, {core})
    try:
        yield core
    finally:
        for thread, cpus in before.items():
            try:
                os.sched_setaffinity(thread, cpus)
            except OSError:  # the thread has ended meanwhile
                pass


def run(aws: EmbeddedAWS) -> dict[int, float]:
    section("4. Throughput: orders per second through the shop handler, one core, embedded AWS")
    aws.reset()
    clock.freeze(NOW)
    rates = {}
    hub = build_hub(HUB_SIZE, CYCLE, NOW - timedelta(days=1), NOW + timedelta(days=1))
    with Client(load_function("shop").app) as shop, one_core():
        for lines in CART_SIZES:
            body = order_body(hub.spread(lines))
            for n in range(WARM_UP):
                expect(post_order(shop, CYCLE, body, f"warm-{lines}-{n}"), 201)
            placed, started = 0, time.perf_counter()
            with AWSCalls() as calls:
                while placed < MIN_ORDERS or time.perf_counter() - started < SECONDS_PER_SIZE:
                    expect(post_order(shop, CYCLE, body, f"order-{lines}-{placed}"), 201)
                    placed += 1
            elapsed = time.perf_counter() - started
            rates[lines] = placed / elapsed
            figure(f"throughput.orders_per_s.lines_{lines}", round(rates[lines], 1))
            figure(f"throughput.ms_per_order.lines_{lines}", round(1000 * elapsed / placed, 1))
            figure(f"throughput.handler_ms_per_order.lines_{lines}", round(1000 * (elapsed - calls.seconds) / placed, 1))
            figure(f"throughput.aws_wait_ms_per_order.lines_{lines}", round(1000 * calls.seconds / placed, 1))
            figure(f"throughput.orders_measured.lines_{lines}", placed)
    clock.reset()
    return rates


if __name__ == "__main__":
    main(run)
