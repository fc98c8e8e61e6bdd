"""The products page of a shop (api-v1 `GET /shops/{id}/cycles/{cycle_id}/products`): the
variants of the shop's outgoing exchange in one cycle, priced with their per-item fees, in one
Query on the cycle's partition whatever the catalogue size."""
from __future__ import annotations

from datetime import datetime

from hubcycle import images
from hubcycle.fees import shop_prices
from hubcycle.order_cycles import open_exchange
from hubcycle.products import unit_price
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.settings import settings


def products(shop_id: str, cycle_id: str, now: datetime) -> list[dict]:
    """Sold-out variants are listed as not available (the storefront greys them out), or not at
    all where the shop hides them (`hide_sold_out`). Hidden products are not listed."""
    cycle, offers, fees, shops = OrderCycleRepository().shop_partition(cycle_id)
    exchange = open_exchange(cycle, shop_id, now)
    hide_sold_out = shops.get(shop_id, {}).get("hide_sold_out", False)
    sold = [offers[v] for v in exchange.variant_ids
            if v in offers and not offers[v].hidden and (offers[v].available or not hide_sold_out)]
    sold.sort(key=lambda o: (o.supplier_name.lower(), o.product_name.lower(), o.name.lower(), o.id))
    uploads_url = settings().uploads_url
    prices = shop_prices(cycle, shop_id, sold, fees)
    return [_product(offer, price, uploads_url) for offer, price in zip(sold, prices)]


def _product(offer, price, uploads_url: str) -> dict:
    """One variant as the shop lists it; `product_id` groups a product's variants in one card."""
    per_unit, per = unit_price(price, offer.unit, offer.unit_value)
    return {
        "variant_id": offer.id,
        "product_id": offer.product_id,
        "product_name": offer.product_name,
        "variant_name": offer.name,
        "description": offer.product_description,
        "category": offer.category,
        "image_url": offer.image_url,
        "image_copies": images.copies(offer.image_url, uploads_url),
        "supplier": {"id": offer.supplier_id, "name": offer.supplier_name},
        "unit": offer.unit.value,
        "unit_value": str(offer.unit_value),
        "price": f"{price:.2f}",
        "unit_price": {"amount": f"{per_unit:.2f}", "per": per},
        "available": offer.available,
        "stock": None if offer.on_demand else offer.on_hand,
        "low_stock": offer.low_stock,
    }
