"""A hub with two producers, fees, shipping and payment methods and open order cycles, written
through the repositories (not the admin API, so the shop's tests stand on their own). Used by the
shop's functional tests and by the storefront's browser tests."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from hubcycle.enterprises import Enterprise, PaymentMethod, ShippingMethod
from hubcycle.fees import EnterpriseFee
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.products import Product, Variant
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository

HUB, FARM, DAIRY = "hub", "farm", "dairy"
CARROTS_1KG, CARROTS_5KG, CHEESE, EGGS, HONEY = "carrots-1kg", "carrots-5kg", "cheese", "eggs", "honey"
PICKUP, DELIVERY, CASH, CARD = "pickup", "delivery", "cash", "card"
READY_FOR = "Saturday 28 Nov, 9-12"
PICKUP_INSTRUCTIONS = "Barn door at 3 Mill Lane.\nRing twice & wait <here>."


@dataclass(frozen=True)
class Hub:
    """Ids of what `load_hub` wrote: `cycle` sells everything, `later_cycle` (opened earlier,
    closing later, with its own ready_for) sells the 1 kg carrots and the cheese again."""

    cycle: str = "week-48"
    later_cycle: str = "week-49"
    hub: str = HUB


def variant(variant_id: str, product_id: str, supplier_id: str, product_name: str, name: str, unit: str,
            unit_value: str, price: str, on_hand: int | None = None) -> Variant:
    return Variant(id=variant_id, product_id=product_id, supplier_id=supplier_id, product_name=product_name,
                   name=name, unit=unit, unit_value=unit_value, price=price, on_hand=on_hand,
                   on_demand=on_hand is None)


def load_hub(now: datetime, *, language: str = "en", stock: dict[str, int] | None = None) -> Hub:
    """Write the hub and its two open cycles around `now`. `stock` overrides on_hand by variant.

    Prices and fees, so totals can be checked by hand: carrots 1 kg 2.40 (+ 10 % farm packing fee
    per item, 0.24, + hub fee 0.50 per item: shop price 3.14); carrots 5 kg 10.00 (+1.00 +0.50:
    11.50); cheese 6.00 (+0.50: 6.50); eggs, on demand, 3.20 (+0.50: 3.70); honey 7.00, sold out
    (+0.50: 7.50). The hub's outgoing fee charges 2.00 per order; delivery costs 4.50, card 0.30."""
    stock = {CARROTS_1KG: 10, CARROTS_5KG: 4, CHEESE: 3, HONEY: 0, **(stock or {})}
    ids = Hub()
    enterprises, catalogue, cycles = EnterpriseRepository(), CatalogueRepository(), OrderCycleRepository()
    enterprises.create(Enterprise(id=HUB, name="Croix-Rousse Food Hub", kind="hub", email="hub@example.org",
                                  timezone="Europe/Paris", language=language, owner_email="ann@example.org",
                                  cycle_sort="closes_at"))
    enterprises.create(Enterprise(id=FARM, name="Blue Field Farm", kind="profile", is_producer=True,
                                  email="farm@example.org", owner_email="fred@example.org"))
    enterprises.create(Enterprise(id=DAIRY, name="Hill Dairy", kind="profile", is_producer=True,
                                  email="dairy@example.org", owner_email="dora@example.org"))
    enterprises.add_shipping_method(ShippingMethod(id=PICKUP, enterprise_id=HUB, name="Pickup at the barn", pickup=True))
    enterprises.add_shipping_method(ShippingMethod(id=DELIVERY, enterprise_id=HUB, name="Home delivery", pickup=False,
                                                   fee="4.50"))
    enterprises.add_payment_method(PaymentMethod(id=CASH, enterprise_id=HUB, name="Cash at pickup"))
    enterprises.add_payment_method(PaymentMethod(id=CARD, enterprise_id=HUB, name="Card", fee="0.30"))

    catalogue.create_product(Product(id="carrots", supplier_id=FARM, name="Carrots", unit="kg", variants=[
        variant(CARROTS_1KG, "carrots", FARM, "Carrots", "1 kg", "kg", "1", "2.40", stock.get(CARROTS_1KG)),
        variant(CARROTS_5KG, "carrots", FARM, "Carrots", "5 kg bag", "kg", "5", "10.00", stock.get(CARROTS_5KG)),
    ]))
    catalogue.create_product(Product(id="honey", supplier_id=FARM, name="Honey", unit="g", variants=[
        variant(HONEY, "honey", FARM, "Honey", "Jar", "g", "500", "7.00", stock.get(HONEY)),
    ]))
    catalogue.create_product(Product(id="tomme", supplier_id=DAIRY, name="Tomme", unit="g", variants=[
        variant(CHEESE, "tomme", DAIRY, "Tomme", "Wedge", "g", "250", "6.00", stock.get(CHEESE)),
    ]))
    catalogue.create_product(Product(id="eggs", supplier_id=DAIRY, name="Eggs", unit="item", variants=[
        variant(EGGS, "eggs", DAIRY, "Eggs", "Half dozen", "item", "6", "3.20", stock.get(EGGS)),
    ]))
    fees = [
        EnterpriseFee(id="hub-fee", enterprise_id=HUB, name="Hub running costs", fee_type="admin",
                      calculator={"type": "flat_rate_per_item", "amount": "0.50"}),
        EnterpriseFee(id="farm-packing", enterprise_id=FARM, name="Bags", fee_type="packing",
                      calculator={"type": "flat_percent_per_item", "percent": "10"}),
        EnterpriseFee(id="hub-order", enterprise_id=HUB, name="Order preparation", fee_type="sales",
                      calculator={"type": "flat_rate", "amount": "2.00"}),
    ]
    for fee in fees:
        catalogue.create_fee(fee)

    farm_variants = [CARROTS_1KG, CARROTS_5KG, HONEY]
    dairy_variants = [CHEESE, EGGS]
    _open_cycle(
        OrderCycle(
            id=ids.cycle, coordinator_id=HUB, name="Week 48", opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=2), coordinator_fee_ids=["hub-fee"],
            incoming=[IncomingExchange(supplier_id=FARM, variant_ids=farm_variants, fee_ids=["farm-packing"]),
                      IncomingExchange(supplier_id=DAIRY, variant_ids=dairy_variants)],
            outgoing=[OutgoingExchange(distributor_id=HUB, variant_ids=farm_variants + dairy_variants,
                                       ready_for=READY_FOR, pickup_instructions=PICKUP_INSTRUCTIONS,
                                       fee_ids=["hub-order"])],
        ),
        catalogue, cycles,
    )
    _open_cycle(
        OrderCycle(
            id=ids.later_cycle, coordinator_id=HUB, name="Week 49", opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=9), coordinator_fee_ids=["hub-fee"],
            incoming=[IncomingExchange(supplier_id=FARM, variant_ids=[CARROTS_1KG]),
                      IncomingExchange(supplier_id=DAIRY, variant_ids=[CHEESE])],
            outgoing=[OutgoingExchange(distributor_id=HUB, variant_ids=[CARROTS_1KG, CHEESE],
                                       ready_for="Saturday 5 Dec", pickup_instructions="Market hall, stall 4")],
        ),
        catalogue, cycles,
    )
    return ids


def _open_cycle(cycle: OrderCycle, catalogue: CatalogueRepository, cycles: OrderCycleRepository) -> None:
    """Create the cycle and copy its variants and fees into its partition, as the admin API does."""
    cycles.create(cycle)
    names = {FARM: "Blue Field Farm", DAIRY: "Hill Dairy"}
    cycles.sync_offers(cycle, catalogue.get_variants_with_offers(cycle.incoming_variant_ids), names)
    cycles.sync_fee_copies(cycle, catalogue.get_fees(cycle.all_fee_ids()))
    cycles.sync_shop_copies(cycle, EnterpriseRepository().get_many)


SHOP_POLICY = Path(__file__).resolve().parents[2] / "functions" / "shop" / ".chalice" / "policy.json"

ADDRESS = {"name": "Zoé Martin", "line1": "12 rue Burdeau", "line2": "", "postcode": "69001", "city": "Lyon",
           "phone": "+33 6 12 34 56 78"}


def order_body(items: dict[str, int], *, email: str = "zoe@example.org", name: str = "Zoé Martin",
               shipping: str = PICKUP, payment: str = CASH) -> dict:
    """A delivery comes with the shopper's address."""
    body = {
        "customer": {"email": email, "name": name},
        "items": [{"variant_id": v, "quantity": q} for v, q in items.items()],
        "shipping_method_id": shipping,
        "payment_method_id": payment,
    }
    if shipping == DELIVERY:
        body["delivery_address"] = ADDRESS
    return body


def json_of(response) -> dict | list:
    return json.loads(response.body)


def post_order(shop_app, cycle_id: str, body: dict, *, key: str | None = "attempt-1", shop_id: str = HUB):
    """POST an order through Chalice's test client, with an Idempotency-Key unless `key` is None."""
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key is not None else {})}
    return shop_app.http.post(f"/shops/{shop_id}/cycles/{cycle_id}/orders", body=json.dumps(body), headers=headers)


def stock(variant_id: str, *cycle_ids: str) -> list[int | None]:
    """on_hand of the variant itself, then of its offer copy in each cycle named."""
    variant, _ = CatalogueRepository().get_variant(variant_id)
    cycles = OrderCycleRepository()
    return [variant.on_hand, *(cycles.shop_partition(c).offers[variant_id].on_hand for c in cycle_ids)]



def refused_by_shop_policy(requests) -> set[str]:
    """The AWS requests (`service.Operation`, as the aws_requests fixture counts them) that the shop
    function's IAM policy would refuse on AWS, where moto enforces none. Its writes are allowed only
    inside transactions: a TransactWriteItems, and no PutItem or UpdateItem of its own."""
    allowed = set()
    for statement in json.loads(SHOP_POLICY.read_text())["Statement"]:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        in_transactions = "dynamodb:EnclosingOperation" in json.dumps(statement.get("Condition", {}))
        allowed |= {"dynamodb:TransactWriteItems"} if in_transactions else set(actions)
    return {r for r in requests if r.replace("sesv2.", "ses.").replace(".", ":", 1) not in allowed}
