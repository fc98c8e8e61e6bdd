"""What a shop's public pages and its checkout read from the enterprise's partition: the
enterprise item, its shipping and payment methods and its order-cycle participations (and, for
checkout, the offers of the ordered variants, fetched in the same batch).

Sort keys there: CUSTOMER# < ENT < GRANT# < OC# < PAYMENT# < SHIPPING#, so the range from ENT
to SHIPPING# skips the customers (the one part that grows with the shop's success)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from hubcycle.enterprises import Enterprise, PaymentMethod, ShippingMethod
from hubcycle.errors import NotFound
from hubcycle.products import Offer
from hubcycle.repository import keys
from hubcycle.repository.base import Repository, from_item


@dataclass(frozen=True)
class CheckoutContext:
    shop: Enterprise
    shipping: ShippingMethod | None
    payment: PaymentMethod | None
    offers: dict[str, Offer]
    """The cycle's offers of the ordered variants, by variant id."""


@dataclass(frozen=True)
class ShopPage:
    enterprise: Enterprise
    cycles: list[dict]
    """Participation items of the cycles open now in which the shop is a distributor."""
    shipping_methods: list[ShippingMethod]
    payment_methods: list[PaymentMethod]


class ShopRepository(Repository):
    def shop_page(self, enterprise_id: str, now: datetime) -> ShopPage:
        """One Query on the enterprise's partition; the filter keeps the enterprise, its methods
        and the participations that sell now."""
        items = self.query(
            "PK = :pk AND SK BETWEEN :first AND :last",
            {":pk": keys.enterprise(enterprise_id), ":first": keys.ENTERPRISE_SK, ":last": "SHIPPING#\uffff",
             ":ent": keys.ENTERPRISE_SK, ":shipping": "SHIPPING#", ":payment": "PAYMENT#",
             ":distributor": "distributor", ":now": keys.iso(now)},
            filter_expression="SK = :ent OR begins_with(SK, :shipping) OR begins_with(SK, :payment) OR "
                              "(contains(#roles, :distributor) AND opens_at <= :now AND closes_at > :now)",
            names={"#roles": "roles"},
        )
        enterprise: Enterprise | None = None
        cycles, shipping, payment = [], [], []
        for item in items:
            sk = item["SK"]
            if sk == keys.ENTERPRISE_SK:
                enterprise = from_item(Enterprise, item)
            elif sk.startswith("SHIPPING#"):
                shipping.append(from_item(ShippingMethod, item))
            elif sk.startswith("PAYMENT#"):
                payment.append(from_item(PaymentMethod, item))
            elif sk.startswith("OC#"):
                cycles.append(item)
        if enterprise is None:
            raise NotFound(f"no shop {enterprise_id}", code="shop_not_found")
        return ShopPage(enterprise, cycles, shipping, payment)

    def checkout_context(self, shop_id: str, shipping_method_id: str, payment_method_id: str, cycle_id: str,
                         variant_ids: Iterable[str]) -> CheckoutContext:
        """The shop, the two methods the shopper chose and the cycle's offers of the ordered
        variants, in one BatchGetItem (100 keys: the 3 and up to 97 variants, more than an order
        can hold). A method this shop does not offer comes back as None, an offer the cycle does
        not have is missing."""
        wanted = [
            (keys.enterprise(shop_id), keys.ENTERPRISE_SK),
            (keys.enterprise(shop_id), keys.shipping_method(shipping_method_id)),
            (keys.enterprise(shop_id), keys.payment_method(payment_method_id)),
            *((keys.order_cycle(cycle_id), keys.offer(variant_id)) for variant_id in variant_ids),
        ]
        found = {(item["PK"], item["SK"]): item for item in self.batch_get(wanted)}
        shop, shipping, payment = (found.get(key) for key in wanted[:3])
        if shop is None:
            raise NotFound(f"no shop {shop_id}", code="shop_not_found")
        return CheckoutContext(
            shop=from_item(Enterprise, shop),
            shipping=from_item(ShippingMethod, shipping) if shipping else None,
            payment=from_item(PaymentMethod, payment) if payment else None,
            offers={item["id"]: from_item(Offer, item) for key, item in found.items() if key not in wanted[:3]},
        )
