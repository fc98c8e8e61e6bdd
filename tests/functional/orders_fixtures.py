"""Orders through the shop, as shoppers place them, on seed 004's cast (admin_fixtures) with the
hub's methods: a pickup, cash, and a bike delivery. Shared by the orders' and the reports' tests."""
from __future__ import annotations

import json

import pytest

from hubcycle.repository import keys
from hubcycle.repository.base import Repository

ZOE = {"email": "zoe@example.org", "name": "Zoé Martin"}
ADDRESS = {"name": "Zoé Martin", "line1": "12 rue Burdeau", "line2": "", "postcode": "69001", "city": "Lyon",
           "phone": "+33 6 12 34 56 78"}


@pytest.fixture
def hub(cast, shop_app):
    """The cast, with the shops' method ids (`pickup`, `cash`, `market-pickup`, `market-cash`) and
    the hub's bike `delivery` (3.00)."""
    c = cast
    shipping = c.hub.get(f"/enterprises/{c['hub']}/shipping-methods").ok()
    c.ids["pickup"] = shipping[0]["id"]
    c.ids["delivery"] = c.hub.post(f"/enterprises/{c['hub']}/shipping-methods",
                                   {"name": "Bike delivery", "pickup": False, "fee": "3.00"}).ok(201)["id"]
    c.ids["cash"] = c.hub.get(f"/enterprises/{c['hub']}/payment-methods").ok()[0]["id"]
    c.ids["market-pickup"] = c.market.get(f"/enterprises/{c['market']}/shipping-methods").ok()[0]["id"]
    c.ids["market-cash"] = c.market.get(f"/enterprises/{c['market']}/payment-methods").ok()[0]["id"]
    c.shop = shop_app
    return c


def order_body(c, items: dict[str, int], shop: str = "hub", customer=ZOE, **fields) -> dict:
    prefix = "" if shop == "hub" else f"{shop}-"
    return {"customer": customer, "items": [{"variant_id": c[v], "quantity": q} for v, q in items.items()],
            "shipping_method_id": c[f"{prefix}pickup"], "payment_method_id": c[f"{prefix}cash"], **fields}


def buy(c, items: dict[str, int], shop: str = "hub", client=None, **fields) -> tuple[int, dict]:
    response = (client or c.shop).http.post(f"/shops/{c[shop]}/cycles/{c.cycle}/orders",
                                            body=json.dumps(order_body(c, items, shop, **fields)),
                                            headers={"Content-Type": "application/json"})
    return response.status_code, json.loads(response.body)


def bought(c, items: dict[str, int], shop: str = "hub", **fields) -> dict:
    status, body = buy(c, items, shop, **fields)
    assert status == 201, body
    return body


def stock(variant_id: str, *cycles: str) -> list[int]:
    """The variant's on_hand, then its copy's in each cycle named."""
    repository = Repository()
    return [int(repository.get(keys.variant(variant_id), keys.VARIANT_SK, consistent=True)["on_hand"]),
            *(int(repository.get(keys.order_cycle(c), keys.offer(variant_id), consistent=True)["on_hand"]) for c in cycles)]
