"""Shoppers racing: many threads buy the last units of a variant through Chalice's test client on
moto. Every thread reads the stock before any of them writes (a barrier holds them just before
the transaction), so only the transaction's conditions can keep them from overselling.
The embedded AWS handles one DynamoDB request at a time (see
hubcycle.local.embedded_aws.isolate_dynamodb), as DynamoDB isolates each request; the shoppers'
requests still interleave freely."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from chalice.test import Client
from shop_fixtures import CHEESE, load_hub, order_body, stock

from hubcycle.local.apps import load_function
from hubcycle.repository.orders import OrderRepository

SHOPPERS = 20
LAST_UNITS = 5


def hold_until_all_have_read(monkeypatch, parties: int) -> None:
    barrier = threading.Barrier(parties, timeout=30)
    place = OrderRepository.place

    def place_together(self, *args, **kwargs):
        barrier.wait()
        return place(self, *args, **kwargs)

    monkeypatch.setattr(OrderRepository, "place", place_together)


def race(cycle_id: str, bodies_and_keys: list[tuple[dict, str]]) -> list[tuple[int, dict]]:
    app = load_function("shop").app

    def buy(body_and_key):
        body, key = body_and_key
        with Client(app) as client:
            response = client.http.post(f"/shops/hub/cycles/{cycle_id}/orders", body=json.dumps(body),
                                        headers={"Content-Type": "application/json", "Idempotency-Key": key})
            return response.status_code, json.loads(response.body)

    with ThreadPoolExecutor(len(bodies_and_keys)) as pool:
        return list(pool.map(buy, bodies_and_keys))


def test_exactly_the_last_units_are_sold_and_every_other_shopper_hears_why(shop_app, clock, mailbox, monkeypatch):
    ids = load_hub(clock.now(), stock={CHEESE: LAST_UNITS})
    hold_until_all_have_read(monkeypatch, SHOPPERS)

    results = race(ids.cycle, [(order_body({CHEESE: 1}, email=f"shopper{n}@example.org"), f"key-{n}")
                               for n in range(SHOPPERS)])

    sold = [body for status, body in results if status == 201]
    refused = [body["error"] for status, body in results if status == 409]
    assert len(sold) == LAST_UNITS and len(refused) == SHOPPERS - LAST_UNITS
    assert all((e["code"], e["field"]) == ("insufficient_stock", CHEESE) for e in refused)
    assert stock(CHEESE, ids.cycle, ids.later_cycle) == [0, 0, 0]
    orders = OrderRepository().orders_of_cycle(ids.cycle)
    assert sorted(o.id for o in orders) == sorted(body["id"] for body in sold)
    assert sum(line.quantity for o in orders for line in o.items) == LAST_UNITS
    assert len(mailbox()) == LAST_UNITS


def test_the_same_order_sent_at_once_by_several_threads_is_placed_once(shop_app, clock, mailbox, monkeypatch):
    """Five retries of one checkout reach the transaction together: one places the order, the four
    others find it under their key and answer with it."""
    ids = load_hub(clock.now())
    hold_until_all_have_read(monkeypatch, 5)

    results = race(ids.cycle, [(order_body({CHEESE: 1}), "one-attempt")] * 5)

    assert [status for status, _ in results] == [201] * 5
    placed = [body for _, body in results if body["manage_url"]]  # only the placer knows the link's secret
    assert len(placed) == 1 and all(body == placed[0] | {"manage_url": None} for _, body in results if body not in placed)
    assert [o.id for o in OrderRepository().orders_of_cycle(ids.cycle)] == [results[0][1]["id"]]
    assert stock(CHEESE, ids.cycle, ids.later_cycle) == [2, 2, 2]
    assert len(mailbox()) == 1
