"""The shop's first public reads (api-v1 "Shop API"): which shops sell now, and a shop with its
open cycles and methods, in the contract's shape, each a fixed number of DynamoDB requests. They
are what a shopper's visit starts with, and read the stored items as views
(hubcycle.repository.shops): a cold start serving them loads neither pydantic nor the domain
models. The products page (hubcycle.services.shop_products) and checkout use the models."""
from __future__ import annotations

from datetime import datetime

from hubcycle import images
from hubcycle.errors import NotFound
from hubcycle.repository.shops import ShopRepository
from hubcycle.settings import settings

PROFILE = "profile"
"""EnterpriseKind.profile as stored: a profile lists itself but sells nothing (seed 000)."""


def open_shops(now: datetime) -> list[dict]:
    """Shops and hubs with an open cycle: one Query on GSI1 and one BatchGetItem."""
    enterprises = ShopRepository().selling(now)
    return sorted(
        ({"id": e["id"], "name": e["name"], "kind": e["kind"]} for e in enterprises if e["kind"] != PROFILE),
        key=lambda shop: (shop["name"].lower(), shop["id"]),
    )


def shop(shop_id: str, now: datetime) -> dict:
    """A shop with its open cycles, sorted as it prefers (by closing or opening date), and its
    methods: one Query."""
    page = ShopRepository().shop_page(shop_id, now)
    enterprise = page.enterprise
    cycles = sorted(page.cycles, key=lambda p: (p[enterprise["cycle_sort"]], p["order_cycle_id"]))
    shipping_ids = [m["id"] for m in page.shipping_methods]
    payment_ids = [m["id"] for m in page.payment_methods]
    return {
        "id": enterprise["id"],
        "name": enterprise["name"],
        "kind": enterprise["kind"],
        "timezone": enterprise["timezone"],
        **{field: enterprise[field] for field in ("description", "address", "phone", "logo_url")},
        "logo_copies": _logo_copies(enterprise),
        "cycles": [
            {"id": p["order_cycle_id"], "ready_for": p.get("ready_for", ""),
             "opens_at": _iso(p["opens_at"]), "closes_at": _iso(p["closes_at"]),
             "shipping_method_ids": _offered(p.get("shipping_method_ids"), shipping_ids),
             "payment_method_ids": _offered(p.get("payment_method_ids"), payment_ids)}
            for p in cycles
        ],
        "shipping_methods": [_method(m) | {"pickup": m["pickup"]} for m in page.shipping_methods],
        "payment_methods": [_method(m) for m in page.payment_methods],
    }


def producer(producer_id: str) -> dict:
    """A producer's own page in the shop: who they are and where (one GetItem)."""
    enterprise = ShopRepository().enterprise(producer_id)
    if enterprise is None or not enterprise["is_producer"]:
        raise NotFound(f"no producer {producer_id}", code="producer_not_found")
    return {field: enterprise[field] for field in ("id", "name", "description", "address", "logo_url")} | {
        "logo_copies": _logo_copies(enterprise)}


def _logo_copies(enterprise: dict) -> list[dict]:
    return images.copies(enterprise["logo_url"], settings().uploads_url)


def _offered(chosen: list[str] | None, all_ids: list[str]) -> list[str]:
    """The shop's methods a cycle offers (the cycle chose some, or offers all), in the shop's order."""
    return all_ids if chosen is None else [i for i in all_ids if i in chosen]


def _method(method: dict) -> dict:
    """`fee` is stored as the contract shows money: "4.50"."""
    return {"id": method["id"], "name": method["name"], "fee": method["fee"], "description": method["description"]}


def _iso(stored: str) -> str:
    """Stored "2026-11-22T18:00:00Z" as the contract writes times: with an explicit offset."""
    return datetime.fromisoformat(stored).isoformat()
