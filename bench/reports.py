"""Issue 13: a packing report of a busy cycle. 500 orders of 10 lines each (priced by checkout's
own pricing, written straight to the table), then the coordinator's
`GET /order-cycles/{id}/reports/pack-by-customer` through the admin app: how many DynamoDB
requests it makes (it must grow only by the 1 MB pages of the orders' Query) and how long it
takes on the embedded AWS (target: under 2 s). The first request also loads the models.

Run alone: `.venv/bin/python bench/reports.py`."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from chalice.test import Client
from harness import AWSCalls, EmbeddedAWS, figure, main, section
from hubs import CASH, HUB, MANAGER, PICKUP, SMALL, build_hub

from hubcycle.dev import local_token
from hubcycle.enterprises import PaymentMethod, ShippingMethod
from hubcycle.fees import price_order
from hubcycle.local.apps import load_function
from hubcycle.orders import Order, OrderCustomer
from hubcycle.repository.base import Repository
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import order_item

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
CYCLE = "bench-reports"
ORDERS, LINES = 500, 10


def write_orders(hub) -> int:
    """500 orders of 10 lines across every producer; returns the bytes they take in the table."""
    cycle, fees = OrderCycleRepository().pricing(CYCLE)
    variants = CatalogueRepository().get_variants(hub.variant_ids)
    shipping = ShippingMethod(id=PICKUP, enterprise_id=HUB, name="Pickup at the barn")
    payment = PaymentMethod(id=CASH, enterprise_id=HUB, name="Cash at pickup")
    items = []
    for n in range(ORDERS):
        chosen = [variants[hub.variant_ids[(n * 7 + i * 3) % len(hub.variant_ids)]] for i in range(LINES)]
        lines = list({v.id: (v, 1 + (n + i) % 4) for i, v in enumerate(chosen)}.values())
        priced = price_order(cycle, HUB, lines, fees, shipping, payment)
        order = Order(id=f"O{n:09d}", number=f"HC-O{n:09d}", order_cycle_id=CYCLE, distributor_id=HUB,
                      customer=OrderCustomer(email=f"shopper{n}@example.org", name=f"Shopper {n:03d}"),
                      items=priced.items, adjustments=priced.adjustments, item_total=priced.item_total,
                      fee_total=priced.fee_total, total=priced.total, shipping_method_id=PICKUP,
                      payment_method_id=CASH, created_at=NOW + timedelta(seconds=n), ready_for="Saturday 9-12",
                      shipping_method=shipping, payment_method=payment, fees_applied=priced.fees_applied)
        items.append(order_item(order))
    Repository().batch_write(puts=items)
    return sum(len(str(item)) for item in items)


def run(aws: EmbeddedAWS) -> None:
    section(f"reports: pack by customer, {ORDERS} orders of {LINES} lines")
    aws.reset()
    hub = build_hub(SMALL, CYCLE, NOW - timedelta(days=2), NOW + timedelta(days=1))
    stored = write_orders(hub)
    token = local_token(MANAGER)
    with Client(load_function("admin").app) as admin:
        def pack() -> tuple[AWSCalls, float, bytes]:
            with AWSCalls() as calls:
                started = time.perf_counter()
                response = admin.http.get(f"/order-cycles/{CYCLE}/reports/pack-by-customer",
                                          headers={"Authorization": f"Bearer {token}"})
                elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.body[:300]
            return calls, elapsed, response.body

        _, first, _ = pack()
        calls, elapsed, body = pack()
    figure("reports.pack_by_customer.ddb_requests", calls.total("dynamodb"))
    figure("reports.pack_by_customer.ms", round(elapsed * 1000))
    figure("reports.pack_by_customer.first_ms", round(first * 1000))
    figure("reports.pack_by_customer.ddb_breakdown", calls.breakdown("dynamodb"))
    figure("reports.pack_by_customer.orders_mb", round(stored / 1e6, 2))
    figure("reports.pack_by_customer.answer_kb", round(len(body) / 1000))


if __name__ == "__main__":
    main(run)
