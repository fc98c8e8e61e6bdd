"""The products page of a shop (api-v1 `GET /shops/{id}/cycles/{cycle_id}/products`): the
variants of the shop's outgoing exchange in one cycle, priced with their per-item fees, in one
Query on the cycle's partition whatever the catalogue size."""
from __future__ import annotations

from datetime import datetime

from hubcycle.fees import shop_price
from hubcycle.order_cycles import open_exchange
from hubcycle.repository.order_cycles import OrderCycleRepository


def products(shop_id: str, cycle_id: str, now: datetime) -> list[dict]:
    """Sold-out variants are listed as not available; the storefront greys them out. Hidden
    products are not listed."""
    cycle, offers, fees = OrderCycleRepository().shop_partition(cycle_id)
    exchange = open_exchange(cycle, shop_id, now)
    sold = [offers[v] for v in exchange.variant_ids if v in offers and not offers[v].hidden]
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
