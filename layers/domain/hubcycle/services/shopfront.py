"""The shop's public reads (api-v1 "Shop API"): which shops sell now, a shop with its open cycles
and methods, and the products of one cycle in one shop. Each answer is in the contract's shape,
and each costs a fixed number of DynamoDB requests whatever the catalogue size."""
from __future__ import annotations

from datetime import datetime

from hubcycle.enterprises import EnterpriseKind, PaymentMethod, ShippingMethod
from hubcycle.errors import Conflict, NotFound
from hubcycle.fees import shop_price
from hubcycle.order_cycles import OrderCycle, OrderCycleStatus, OutgoingExchange
from hubcycle.repository import keys
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.shops import ShopRepository


def open_exchange(cycle: OrderCycle, shop_id: str, now: datetime) -> OutgoingExchange:
    """The shop's outgoing exchange in a cycle it sells through now: 404 if the shop does not
    distribute this cycle, 409 order_cycle_closed if the cycle is not open."""
    exchange = cycle.outgoing_of(shop_id)
    if exchange is None:
        raise NotFound(f"shop {shop_id} does not sell through order cycle {cycle.id}", code="order_cycle_not_found")
    status = cycle.status(now)
    if status != OrderCycleStatus.open:
        when = "has closed" if status == OrderCycleStatus.closed else "is not open yet"
        raise Conflict(f"this order cycle {when}", code="order_cycle_closed")
    return exchange


def open_shops(now: datetime) -> list[dict]:
    """Shops and hubs with an open cycle: one Query on GSI1 and one BatchGetItem."""
    selling = {p["enterprise_id"] for p in OrderCycleRepository().shopfront(now) if p["opens_at"] <= keys.iso(now)}
    enterprises = EnterpriseRepository().get_many(selling).values()
    return sorted(
        ({"id": e.id, "name": e.name, "kind": e.kind.value} for e in enterprises if e.kind != EnterpriseKind.profile),
        key=lambda shop: (shop["name"].lower(), shop["id"]),
    )


def shop(shop_id: str, now: datetime) -> dict:
    """A shop with its open cycles, sorted as it prefers (by closing or opening date), and its
    methods: one Query."""
    page = ShopRepository().shop_page(shop_id, now)
    sort_key = page.enterprise.cycle_sort
    cycles = sorted(page.cycles, key=lambda p: (p[sort_key], p["order_cycle_id"]))
    return {
        "id": page.enterprise.id,
        "name": page.enterprise.name,
        "kind": page.enterprise.kind.value,
        "timezone": page.enterprise.timezone,
        "cycles": [
            {"id": p["order_cycle_id"], "ready_for": p.get("ready_for", ""),
             "opens_at": _iso(p["opens_at"]), "closes_at": _iso(p["closes_at"])}
            for p in cycles
        ],
        "shipping_methods": [_method(m) | {"pickup": m.pickup} for m in page.shipping_methods],
        "payment_methods": [_method(m) for m in page.payment_methods],
    }


def products(shop_id: str, cycle_id: str, now: datetime) -> list[dict]:
    """The variants this shop's outgoing exchange carries, priced with their per-item fees: one
    Query on the cycle's partition. Sold-out variants are listed as not available."""
    cycle, offers, fees = OrderCycleRepository().shop_partition(cycle_id)
    exchange = open_exchange(cycle, shop_id, now)
    sold = [offers[v] for v in exchange.variant_ids if v in offers]
    sold.sort(key=lambda o: (o.supplier_name.lower(), o.product_name.lower(), o.name.lower(), o.id))
    return [
        {
            "variant_id": offer.id,
            "product_name": offer.product_name,
            "variant_name": offer.name,
            "supplier": {"id": offer.supplier_id, "name": offer.supplier_name},
            "unit": offer.unit.value,
            "unit_value": str(offer.unit_value),
            "price": f"{shop_price(cycle, shop_id, offer, fees):.2f}",
            "available": offer.available,
        }
        for offer in sold
    ]


def _method(method: ShippingMethod | PaymentMethod) -> dict:
    return {"id": method.id, "name": method.name, "fee": f"{method.fee:.2f}"}


def _iso(stored: str) -> str:
    """Stored "2026-11-22T18:00:00Z" as the contract writes times: with an explicit offset."""
    return datetime.fromisoformat(stored).isoformat()
