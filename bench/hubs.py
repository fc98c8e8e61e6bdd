"""The hubs the benchmarks measure, written through the repositories as the admin API writes them:
a hub, its producers (each granting the hub add_to_order_cycle), their products, fees, shipping
and payment methods, and an order cycle carrying every variant (offers and fee copies in its
partition). Sizes from issue #7: 3 producers / 30 variants, and 50 producers / 2,000 variants."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from hubcycle.enterprises import Enterprise, PaymentMethod, ShippingMethod
from hubcycle.fees import EnterpriseFee
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.permissions import EnterprisePermission
from hubcycle.products import Product, Variant
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository

HUB = "hub"
PICKUP, DELIVERY, CASH, CARD = "pickup", "delivery", "cash", "card"
MANAGER = "manager@example.org"
PLENTY = 1_000_000
"""Stock of a counted variant: no benchmark runs out unless it sets the stock itself."""
VARIANTS_PER_PRODUCT = 5


@dataclass(frozen=True)
class HubSize:
    name: str
    producers: int
    variants: int


SMALL = HubSize("small", producers=3, variants=30)
LARGE = HubSize("large", producers=50, variants=2000)


@dataclass
class Hub:
    size: HubSize
    hub_id: str = HUB
    producer_ids: list[str] = field(default_factory=list)
    variant_ids: list[str] = field(default_factory=list)
    """Alternately counted stock (even positions) and on demand (odd positions)."""
    supplier_of: dict[str, str] = field(default_factory=dict)

    def counted(self) -> list[str]:
        return self.variant_ids[0::2]

    def spread(self, count: int) -> list[str]:
        """`count` variants taken across every producer in turn (a cart touching many producers)."""
        by_producer = {p: [v for v in self.variant_ids if self.supplier_of[v] == p] for p in self.producer_ids}
        n = len(self.producer_ids)
        return [by_producer[self.producer_ids[i % n]][i // n] for i in range(count)]


def build_hub(size: HubSize, cycle_id: str, opens_at: datetime, closes_at: datetime) -> Hub:
    """Write the hub, its producers and catalogue, and one order cycle selling every variant."""
    enterprises, catalogue = EnterpriseRepository(), CatalogueRepository()
    hub = Hub(size)
    enterprises.create(Enterprise(id=HUB, name="Bench Food Hub", kind="hub", email="hub@example.org",
                                  timezone="Europe/Paris", owner_email=MANAGER))
    enterprises.add_shipping_method(ShippingMethod(id=PICKUP, enterprise_id=HUB, name="Pickup at the barn"))
    enterprises.add_shipping_method(ShippingMethod(id=DELIVERY, enterprise_id=HUB, name="Home delivery",
                                                   pickup=False, fee="4.50"))
    enterprises.add_payment_method(PaymentMethod(id=CASH, enterprise_id=HUB, name="Cash at pickup"))
    enterprises.add_payment_method(PaymentMethod(id=CARD, enterprise_id=HUB, name="Card", fee="0.30"))
    catalogue.create_fee(EnterpriseFee(id="hub-handling", enterprise_id=HUB, name="Hub running costs", fee_type="admin",
                                       calculator={"type": "flat_rate_per_item", "amount": "0.50"}))
    catalogue.create_fee(EnterpriseFee(id="hub-order", enterprise_id=HUB, name="Order preparation", fee_type="sales",
                                       calculator={"type": "flat_rate", "amount": "2.00"}))

    per_producer = size.variants // size.producers
    extra = size.variants % size.producers
    incoming = []
    for p in range(size.producers):
        producer_id = f"producer-{p:02d}"
        hub.producer_ids.append(producer_id)
        enterprises.create(Enterprise(id=producer_id, name=f"Producer {p:02d} Farm", kind="profile", is_producer=True,
                                      email=f"{producer_id}@example.org", owner_email=f"owner@{producer_id}.example.org"))
        enterprises.put_permission(EnterprisePermission(grantor_id=producer_id, grantee_id=HUB,
                                                        abilities=["add_to_order_cycle"]))
        catalogue.create_fee(EnterpriseFee(id=f"{producer_id}-packing", enterprise_id=producer_id, name="Crates",
                                           fee_type="packing", calculator={"type": "flat_percent_per_item", "percent": "5"}))
        own = [f"{producer_id}-v{v:03d}" for v in range(per_producer + (1 if p < extra else 0))]
        for start in range(0, len(own), VARIANTS_PER_PRODUCT):
            _create_product(catalogue, producer_id, f"{producer_id}-p{start // VARIANTS_PER_PRODUCT:02d}",
                            own[start : start + VARIANTS_PER_PRODUCT], len(hub.variant_ids))
            hub.variant_ids.extend(own[start : start + VARIANTS_PER_PRODUCT])
        hub.supplier_of.update(dict.fromkeys(own, producer_id))
        incoming.append(IncomingExchange(supplier_id=producer_id, variant_ids=own, fee_ids=[f"{producer_id}-packing"],
                                         receival_instructions="Crates at the barn by Friday 8am."))
    cycle = OrderCycle(
        id=cycle_id, coordinator_id=HUB, name=f"Bench {size.name}", opens_at=opens_at, closes_at=closes_at,
        coordinator_fee_ids=["hub-handling"], automatic_notifications=True, incoming=incoming,
        outgoing=[OutgoingExchange(distributor_id=HUB, variant_ids=hub.variant_ids, ready_for="Saturday 9-12",
                                   pickup_instructions="Barn door, 3 Mill Lane.", fee_ids=["hub-order"])],
    )
    add_cycle(cycle, hub)
    return hub


def add_cycle(cycle: OrderCycle, hub: Hub) -> None:
    """Create the cycle and copy its variants and fees into its partition, as the admin API does."""
    catalogue, cycles = CatalogueRepository(), OrderCycleRepository()
    cycles.create(cycle)
    names = {p: f"Producer {p.removeprefix('producer-')} Farm" for p in hub.producer_ids}
    cycles.sync_offers(cycle, catalogue.get_variants_with_offers(cycle.incoming_variant_ids), names)
    cycles.sync_fee_copies(cycle, catalogue.get_fees(cycle.all_fee_ids()))


def _create_product(catalogue: CatalogueRepository, producer_id: str, product_id: str, variant_ids: list[str],
                    position: int) -> None:
    name = f"Vegetable {product_id.rsplit('-', 1)[1]} of {producer_id}"
    catalogue.create_product(Product(id=product_id, supplier_id=producer_id, name=name, unit="kg", variants=[
        Variant(id=v, product_id=product_id, supplier_id=producer_id, product_name=name, name=f"{1 + i} kg",
                unit="kg", unit_value=1 + i, price=f"{2 + (position + i) % 7}.{(position + i) % 10}0",
                on_hand=PLENTY if (position + i) % 2 == 0 else None, on_demand=(position + i) % 2 == 1)
        for i, v in enumerate(variant_ids)
    ]))


def order_body(variant_ids: list[str], *, quantity: int = 1, email: str = "shopper@example.org",
               shipping: str = PICKUP, payment: str = CASH) -> dict:
    return {
        "customer": {"email": email, "name": "Bench Shopper"},
        "items": [{"variant_id": v, "quantity": quantity} for v in variant_ids],
        "shipping_method_id": shipping,
        "payment_method_id": payment,
    }


def post_order(shop, cycle_id: str, body: dict, key: str | None):
    """POST an order through Chalice's test client `shop`, with an Idempotency-Key unless None."""
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
    return shop.http.post(f"/shops/{HUB}/cycles/{cycle_id}/orders", body=json.dumps(body), headers=headers)
