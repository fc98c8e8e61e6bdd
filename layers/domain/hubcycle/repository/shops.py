"""What a shop's first public pages read, as views: the shops selling now, and a shop with its
methods and its open cycles, as stored (each item is its model's JSON form, written through the
model, so valid already). These are the first requests of a shopper's visit, and so of most cold
starts of the shop function: reading them without the domain models spares those cold starts the
import of pydantic and the models (docs/performance.md).

Sort keys there: CUSTOMER# < ENT < GRANT# < OC# < PAYMENT# < SHIPPING#, so the range from ENT
to SHIPPING# skips the customers (the one part that grows with the shop's success)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hubcycle.errors import NotFound
from hubcycle.repository import keys
from hubcycle.repository import views
from hubcycle.repository.base import Repository
from hubcycle.repository.table import GSI1


@dataclass(frozen=True)
class ShopPage:
    enterprise: dict
    cycles: list[dict]
    """Participation items of the cycles open now in which the shop is a distributor."""
    shipping_methods: list[dict]
    payment_methods: list[dict]


class ShopRepository(Repository):
    def selling(self, now: datetime) -> list[dict]:
        """Enterprises distributing in a cycle open now: one Query on GSI1 (the distributor
        participations of cycles not closed yet; upcoming ones are left out here) and one
        BatchGetItem of the enterprises."""
        participations = self.query("GSI1PK = :pk AND GSI1SK > :now",
                                    {":pk": keys.SHOPFRONT, ":now": f"{keys.iso(now)}#\uffff"}, index=GSI1)
        selling = {p["enterprise_id"] for p in participations if p["opens_at"] <= keys.iso(now)}
        return [views.view_of(item, views.ENTERPRISE)
                for item in self.batch_get((keys.enterprise(e), keys.ENTERPRISE_SK) for e in selling)]

    def enterprise(self, enterprise_id: str) -> dict | None:
        """One GetItem: an enterprise's public page (a producer's, from the shop)."""
        item = self.get(keys.enterprise(enterprise_id), keys.ENTERPRISE_SK)
        return None if item is None else views.view_of(item, views.ENTERPRISE)

    def shop_page(self, enterprise_id: str, now: datetime) -> ShopPage:
        """One Query on the enterprise's partition; the filter keeps the enterprise, its methods
        and the participations that sell now."""
        items = self.query(
            "PK = :pk AND SK BETWEEN :first AND :last",
            {":pk": keys.enterprise(enterprise_id), ":first": keys.ENTERPRISE_SK, ":last": f"{keys.SHIPPING_PREFIX}\uffff",
             ":ent": keys.ENTERPRISE_SK, ":shipping": keys.SHIPPING_PREFIX, ":payment": keys.PAYMENT_PREFIX,
             ":distributor": "distributor", ":now": keys.iso(now)},
            filter_expression="SK = :ent OR begins_with(SK, :shipping) OR begins_with(SK, :payment) OR "
                              "(contains(#roles, :distributor) AND opens_at <= :now AND closes_at > :now)",
            names={"#roles": "roles"},
        )
        enterprise: dict | None = None
        cycles, shipping, payment = [], [], []
        for item in items:
            sk = item["SK"]
            if sk == keys.ENTERPRISE_SK:
                enterprise = views.view_of(item, views.ENTERPRISE)
            elif sk.startswith(keys.SHIPPING_PREFIX):
                shipping.append(views.view_of(item, views.SHIPPING_METHOD))
            elif sk.startswith(keys.PAYMENT_PREFIX):
                payment.append(views.view_of(item, views.PAYMENT_METHOD))
            elif sk.startswith(keys.ORDER_CYCLE_PREFIX):
                cycles.append(item)
        if enterprise is None:
            raise NotFound(f"no shop {enterprise_id}", code="shop_not_found")
        return ShopPage(enterprise, cycles, shipping, payment)
