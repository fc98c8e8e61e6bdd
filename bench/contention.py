"""Issue #7, part 3: contention. 50 shoppers check out at once, each wanting one of the last 10
units of a variant: exactly 10 orders must be placed, the 40 others refused (409
insufficient_stock), and the stock must end at 0 on the variant and on every offer copy.

The shoppers are 50 threads posting through Chalice's test client to the shop handler; the
embedded AWS handles one DynamoDB request at a time (hubcycle.local.embedded_aws.isolate_dynamodb)
and keeps its rollback snapshots, so a cancelled transaction leaves nothing behind, as on DynamoDB.

Run alone: `.venv/bin/python bench/contention.py`."""
from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalice.test import Client
from harness import EmbeddedAWS, figure, main, section
from hubs import SMALL, build_hub, order_body, post_order
from requests_per_call import NOW

from hubcycle.clock import clock
from hubcycle.local.apps import load_function
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository

SHOPPERS = 50
LAST_UNITS = 10
CYCLE = "contended"


def run(aws: EmbeddedAWS) -> dict:
    section(f"3. Contention: {SHOPPERS} concurrent checkouts for the last {LAST_UNITS} units")
    aws.reset()
    clock.freeze(NOW)
    hub = build_hub(SMALL, CYCLE, NOW - timedelta(days=1), NOW + timedelta(days=1))
    catalogue = CatalogueRepository()
    wanted = hub.counted()[0]
    variant, offered_in = catalogue.get_variant(wanted)
    catalogue.save_variant(variant.model_copy(update={"on_hand": LAST_UNITS}), variant, offered_in)
    app = load_function("shop").app

    def shop(n: int):
        with Client(app) as client:
            response = post_order(client, CYCLE, order_body([wanted], email=f"shopper{n}@example.org"), f"shopper-{n}")
        body = response.json_body
        return response.status_code, (body.get("error") or {}).get("code")

    with ThreadPoolExecutor(SHOPPERS) as pool:
        started = time.perf_counter()
        answers = list(pool.map(shop, range(SHOPPERS)))
        elapsed = time.perf_counter() - started
    clock.reset()

    outcomes = Counter(f"{status} {code or ''}".strip() for status, code in answers)
    sold = outcomes["201"]
    conflicts = outcomes["409 insufficient_stock"]
    stock = [catalogue.get_variant(wanted)[0].on_hand, OrderCycleRepository().shop_partition(CYCLE).offers[wanted].on_hand]
    orders = OrderRepository().orders_of_cycle(CYCLE)
    figure("contention.sold", sold)
    figure("contention.conflicts", conflicts)
    figure("contention.final_stock", stock[0])
    figure("contention.final_stock_of_offer_copy", stock[1])
    figure("contention.orders_stored", len(orders))
    figure("contention.units_in_stored_orders", sum(line.quantity for o in orders for line in o.items))
    figure("contention.answers", ", ".join(f"{k}×{v}" for k, v in sorted(outcomes.items())))
    figure("contention.seconds", round(elapsed, 2))
    figure("contention.orders_per_s", round(sold / elapsed, 1))
    figure("contention.checkouts_answered_per_s", round(SHOPPERS / elapsed, 1))
    correct = sold == LAST_UNITS and conflicts == SHOPPERS - LAST_UNITS and stock == [0, 0] and len(orders) == LAST_UNITS
    figure("contention.target", "met" if correct else "MISSED: oversold, undersold or stock left inconsistent")
    return {"sold": sold, "conflicts": conflicts, "final_stock": stock[0], "seconds": elapsed}


if __name__ == "__main__":
    main(run)
