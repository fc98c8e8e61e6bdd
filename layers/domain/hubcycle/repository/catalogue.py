"""Products, variants and enterprise fees. A variant is its own item (stock is decremented on
it, conditionally); the supplier's catalogue is read through GSI1 in one Query."""
from __future__ import annotations

from collections.abc import Iterable

from hubcycle.errors import NotFound
from hubcycle.fees import EnterpriseFee
from hubcycle.products import Product, Variant
from hubcycle.repository import keys
from hubcycle.repository.base import GSI1, Repository, from_item, put_action, to_item, update_action


def variant_item(variant: Variant) -> dict:
    """`offered_in`, the string set of cycles holding a copy of this variant, is added by
    OrderCycleRepository.sync_offers; DynamoDB has no empty sets, so a new variant has none."""
    return to_item(
        variant,
        PK=keys.variant(variant.id),
        SK=keys.VARIANT_SK,
        GSI1PK=keys.catalogue(variant.supplier_id),
        GSI1SK=f"{keys.product(variant.product_id)}#{keys.variant(variant.id)}",
    )


class CatalogueRepository(Repository):
    def create_product(self, product: Product) -> None:
        product_item = to_item(
            product.model_copy(update={"variants": []}),
            PK=keys.product(product.id),
            SK=keys.PRODUCT_SK,
            GSI1PK=keys.catalogue(product.supplier_id),
            GSI1SK=keys.product(product.id),
        )
        self.transact([
            put_action(product_item, condition="attribute_not_exists(PK)"),
            *[put_action(variant_item(v), condition="attribute_not_exists(PK)") for v in product.variants],
        ])

    def catalogue(self, supplier_id: str) -> list[Product]:
        """A supplier's products with their variants: one Query on GSI1."""
        products: dict[str, Product] = {}
        variants: list[Variant] = []
        for item in self.query("GSI1PK = :pk", {":pk": keys.catalogue(supplier_id)}, index=GSI1):
            if item["SK"] == keys.PRODUCT_SK:
                products[item["id"]] = from_item(Product, item)
            else:
                variants.append(from_item(Variant, item))
        for variant in variants:
            if variant.product_id in products:
                products[variant.product_id].variants.append(variant)
        return sorted(products.values(), key=lambda p: p.name.lower())

    def get_variant(self, variant_id: str) -> tuple[Variant, list[str]]:
        """The variant and the cycles whose offers copy it."""
        item = self.get(keys.variant(variant_id), keys.VARIANT_SK, consistent=True)
        if item is None:
            raise NotFound(f"no variant {variant_id}", code="variant_not_found")
        return from_item(Variant, item), sorted(item.get("offered_in", set()))

    def get_variants(self, variant_ids: Iterable[str]) -> dict[str, Variant]:
        return {v.id: v for v, _ in self.get_variants_with_offers(variant_ids).values()}

    def get_variants_with_offers(self, variant_ids: Iterable[str]) -> dict[str, tuple[Variant, set[str]]]:
        items = self.batch_get((keys.variant(v), keys.VARIANT_SK) for v in variant_ids)
        return {i["id"]: (from_item(Variant, i), set(i.get("offered_in", set()))) for i in items}

    def variant_owners(self, variant_ids: Iterable[str]) -> dict[str, str]:
        return {v.id: v.supplier_id for v in self.get_variants(variant_ids).values()}

    def save_variant(self, variant: Variant, previous: Variant, offered_in: list[str]) -> None:
        """Price and stock change on the variant and, in the same transaction, on its offers.
        The stock is written only when it changed, and then only if it is still the stock that
        was read: a sale in between must not be undone."""
        values = {":price": f"{variant.price:.2f}", ":on_demand": variant.on_demand}
        update = "SET price = :price, on_demand = :on_demand"
        condition = "attribute_exists(PK)"
        if variant.on_hand != previous.on_hand:
            values[":on_hand"] = variant.on_hand
            update += ", on_hand = :on_hand"
            if previous.on_hand is None:
                values[":null"] = "NULL"
                condition += " AND attribute_type(on_hand, :null)"
            else:
                values[":read"] = previous.on_hand
                condition += " AND on_hand = :read"
        copy_values = {k: v for k, v in values.items() if k not in (":read", ":null")}
        self.transact([
            update_action(keys.variant(variant.id), keys.VARIANT_SK, update, values, condition=condition),
            *[
                update_action(keys.order_cycle(c), keys.offer(variant.id), update, copy_values,
                              condition="attribute_exists(PK)")
                for c in offered_in
            ],
        ])

    def create_fee(self, fee: EnterpriseFee) -> None:
        self.put(
            to_item(fee, PK=keys.fee(fee.id), SK=keys.FEE_SK, GSI1PK=keys.fees_of(fee.enterprise_id), GSI1SK=keys.fee(fee.id)),
            condition="attribute_not_exists(PK)",
        )

    def fees_of(self, enterprise_id: str) -> list[EnterpriseFee]:
        return [from_item(EnterpriseFee, i) for i in self.index_partition(keys.fees_of(enterprise_id))]

    def get_fees(self, fee_ids: Iterable[str]) -> dict[str, EnterpriseFee]:
        items = self.batch_get((keys.fee(f), keys.FEE_SK) for f in fee_ids)
        return {i["id"]: from_item(EnterpriseFee, i) for i in items}
