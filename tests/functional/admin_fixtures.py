"""The admin API driven as its users drive it: each person signs in with a real id token of the
local user pool (moto's Cognito) and calls the admin app through Chalice's test client.

`Cast` sets up seed 004's multi-enterprise order cycle through the API itself. Green Hub
coordinates and sells; the Market sells too. The Farm, the Bakery and the Dairy supply.
Everyone granted Green Hub add_to_order_cycle. The Farm and the Bakery let the Market sell
their products; the Dairy did not. The Market lets the Farm (not the Bakery) add products to its
shop. Each enterprise has its own manager."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from hubcycle.dev import local_token
from hubcycle.orders import Adjustment, LineItem, Order, OrderCustomer
from hubcycle.repository.base import Repository
from hubcycle.repository.orders import order_item
from hubcycle.services import notifications, scheduling

ADD = "add_to_order_cycle"


@dataclass
class Answer:
    status: int
    json: object

    def ok(self, status: int = 200):
        assert self.status == status, f"expected {status}, got {self.status}: {self.json}"
        return self.json

    def error(self, status: int) -> dict:
        assert self.status == status, f"expected {status}, got {self.status}: {self.json}"
        return self.json["error"]


class Person:
    """A signed-in manager."""

    def __init__(self, client, email: str):
        self.email = email
        self.client = client
        self.token = local_token(email)

    def call(self, method: str, path: str, body=None, token: str | None = None) -> Answer:
        headers = {"Authorization": f"Bearer {self.token if token is None else token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
            body = body if isinstance(body, (str, bytes)) else json.dumps(body)
        response = self.client.http.request(method, path, headers=headers, body=body or b"")
        return Answer(response.status_code, json.loads(response.body) if response.body else None)

    def get(self, path: str) -> Answer:
        return self.call("GET", path)

    def post(self, path: str, body=None) -> Answer:
        return self.call("POST", path, {} if body is None else body)

    def put(self, path: str, body) -> Answer:
        return self.call("PUT", path, body)

    def patch(self, path: str, body) -> Answer:
        return self.call("PATCH", path, body)

    def delete(self, path: str) -> Answer:
        return self.call("DELETE", path)

    # What managers do most, in one call each

    def enterprise(self, name: str, kind: str = "hub", is_producer: bool = False, **fields) -> str:
        body = {"name": name, "kind": kind, "is_producer": is_producer, "email": self.email, **fields}
        return self.post("/enterprises", body).ok(201)["id"]

    def grant(self, grantor: str, grantee: str, *abilities: str) -> None:
        self.put(f"/enterprises/{grantor}/permissions/{grantee}", {"abilities": list(abilities)}).ok()

    def product(self, supplier: str, name: str, *variants: str, price: str = "2.50", on_hand: int = 20) -> list[str]:
        body = {"name": name, "unit": "kg",
                "variants": [{"name": v, "unit_value": "1", "price": price, "on_hand": on_hand} for v in variants]}
        return [v["id"] for v in self.post(f"/enterprises/{supplier}/products", body).ok(201)["variants"]]

    def fee(self, enterprise: str, name: str, amount: str = "0.50") -> str:
        body = {"name": name, "fee_type": "admin", "calculator": {"type": "flat_rate_per_item", "amount": amount}}
        return self.post(f"/enterprises/{enterprise}/fees", body).ok(201)["id"]

    def methods(self, enterprise: str) -> None:
        self.post(f"/enterprises/{enterprise}/shipping-methods", {"name": "Pickup", "pickup": True}).ok(201)
        self.post(f"/enterprises/{enterprise}/payment-methods", {"name": "Cash"}).ok(201)


@pytest.fixture
def people(admin_app):
    """people("ann@example.org") -> that person, signed in (one token per person and test)."""
    signed_in: dict[str, Person] = {}

    def person(email: str) -> Person:
        if email not in signed_in:
            signed_in[email] = Person(admin_app, email)
        return signed_in[email]

    return person


@pytest.fixture(autouse=True)
def armed(monkeypatch):
    """Every arm(cycle) and disarm(cycle_id) the admin function asks of the scheduler."""
    calls: list[tuple[str, object]] = []
    monkeypatch.setattr(scheduling, "arm", lambda cycle: calls.append(("arm", cycle)))
    monkeypatch.setattr(scheduling, "disarm", lambda cycle_id: calls.append(("disarm", cycle_id)))
    return calls


@pytest.fixture
def notified(monkeypatch):
    """Every notify_producers(cycle_id, automatic) asked; answers 2 emails sent."""
    calls: list[tuple[str, bool]] = []

    def notify(cycle_id: str, *, automatic: bool) -> int:
        calls.append((cycle_id, automatic))
        return 2

    monkeypatch.setattr(notifications, "notify_producers", notify)
    return calls


@dataclass
class Cast:
    hub: Person
    farm: Person
    bakery: Person
    dairy: Person
    market: Person
    ids: dict[str, str] = field(default_factory=dict)
    cycle: str = ""

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    @property
    def path(self) -> str:
        return f"/order-cycles/{self.cycle}"


def build_cast(people, now: datetime) -> Cast:
    cast = Cast(*(people(f"{who}@example.org") for who in ("hub", "farm", "bakery", "dairy", "market")))
    ids = cast.ids
    ids["hub"] = cast.hub.enterprise("Green Hub", "hub")
    ids["market"] = cast.market.enterprise("Market", "hub")
    for who in ("farm", "bakery", "dairy"):
        ids[who] = getattr(cast, who).enterprise(who.capitalize(), "profile", is_producer=True)
    cast.hub.methods(ids["hub"])
    cast.market.methods(ids["market"])
    for who in ("farm", "bakery", "dairy", "market"):
        getattr(cast, who).grant(ids[who], ids["hub"], ADD)
    cast.farm.grant(ids["farm"], ids["market"], ADD)
    cast.bakery.grant(ids["bakery"], ids["market"], ADD)
    cast.market.grant(ids["market"], ids["farm"], ADD)
    ids["apples"], ids["pears"], ids["plums"] = cast.farm.product(ids["farm"], "Fruit", "Apples", "Pears", "Plums")
    ids["bread"], ids["cake"] = cast.bakery.product(ids["bakery"], "Bakes", "Bread", "Cake")
    (ids["cheese"],) = cast.dairy.product(ids["dairy"], "Cheese", "Tomme")
    ids["hub-admin"] = cast.hub.fee(ids["hub"], "Admin")
    ids["hub-levy"] = cast.hub.fee(ids["hub"], "Levy")
    ids["farm-transport"] = cast.farm.fee(ids["farm"], "Transport")
    ids["farm-extra"] = cast.farm.fee(ids["farm"], "Extra")
    ids["bakery-pack"] = cast.bakery.fee(ids["bakery"], "Packing")
    ids["market-margin"] = cast.market.fee(ids["market"], "Margin")
    ids["market-extra"] = cast.market.fee(ids["market"], "Extra")
    cast.cycle = cast.hub.post("/order-cycles", {
        "coordinator_id": ids["hub"], "name": "Week 48",
        "opens_at": (now - timedelta(days=1)).isoformat(), "closes_at": (now + timedelta(days=6)).isoformat(),
        "coordinator_fee_ids": [ids["hub-admin"]], "automatic_notifications": True,
    }).ok(201)["id"]
    cast.hub.put(f"{cast.path}/incoming/{ids['farm']}", {
        "variant_ids": [ids["apples"], ids["pears"]], "receival_instructions": "Back door before 9am",
        "fee_ids": [ids["farm-transport"], ids["hub-levy"]],
    }).ok()
    cast.hub.put(f"{cast.path}/incoming/{ids['bakery']}", {
        "variant_ids": [ids["bread"], ids["cake"]], "fee_ids": [ids["bakery-pack"]],
    }).ok()
    cast.hub.put(f"{cast.path}/incoming/{ids['dairy']}", {"variant_ids": [ids["cheese"]]}).ok()
    cast.hub.put(f"{cast.path}/outgoing/{ids['hub']}", {
        "variant_ids": [ids["apples"], ids["bread"], ids["cheese"]], "ready_for": "Saturday 9-12",
        "pickup_instructions": "Green Hub, 1 Main Street",
    }).ok()
    cast.hub.put(f"{cast.path}/outgoing/{ids['market']}", {
        "variant_ids": [ids["apples"], ids["bread"]], "ready_for": "Sunday market",
        "fee_ids": [ids["market-margin"]],
    }).ok()
    return cast


@pytest.fixture
def cast(people, clock) -> Cast:
    return build_cast(people, clock.now())


def place_order(cycle_id: str, distributor_id: str, number: str, customer: tuple[str, str],
                lines: list[tuple[str, str, int, str]], created_at: datetime, state: str = "placed") -> Order:
    """Write an order as the shop would have placed it. `lines`: (variant id, supplier id,
    quantity, unit price); each line pays a 0.10 fee per item, the order a 1.00 shipping fee."""
    fee, shipping = Decimal("0.10"), Decimal("1.00")
    items = [
        LineItem(variant_id=variant, supplier_id=supplier, product_name=f"Product {variant}", variant_name=variant,
                 quantity=quantity, base_price=Decimal(price), price=Decimal(price) + fee,
                 fees=[Adjustment(label="Admin: fee", amount=fee * quantity)], total=(Decimal(price) + fee) * quantity)
        for variant, supplier, quantity, price in lines
    ]
    item_total = sum(i.base_total for i in items)
    fee_total = sum(i.total for i in items) - item_total + shipping
    order = Order(
        id=f"order-{number}", number=number, order_cycle_id=cycle_id, distributor_id=distributor_id,
        customer=OrderCustomer(email=customer[0], name=customer[1]), items=items,
        adjustments=[Adjustment(label="Shipping: Pickup", amount=shipping)],
        item_total=item_total, fee_total=fee_total, total=item_total + fee_total,
        shipping_method_id="pickup", payment_method_id="cash", state=state, created_at=created_at,
        ready_for="Saturday 9-12",
    )
    Repository().put(order_item(order))
    return order


def table_snapshot() -> list[dict]:
    """Every item of the table (tests may Scan; the functions never do)."""
    repository = Repository()
    items, params = [], {"TableName": repository.name}
    while True:
        answer = repository.dynamodb.scan(**params)
        items += answer["Items"]
        if "LastEvaluatedKey" not in answer:
            return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))
        params["ExclusiveStartKey"] = answer["LastEvaluatedKey"]
