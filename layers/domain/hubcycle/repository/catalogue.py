"""Products, variants and enterprise fees. A variant is its own item (stock is decremented on
it, conditionally); the supplier's catalogue is read through GSI1 in one Query."""
from __future__ import annotations

from collections.abc import Iterable

from hubcycle.errors import NotFound
from hubcycle.fees import EnterpriseFee
from hubcycle.products import Product, Variant
from hubcycle.repository import keys
from hubcycle.repository.base import (
    GSI1,
    TRANSACTION_LIMIT,
    Repository,
    TransactionCancelled,
    condition_check_action,
    delete_action,
    from_item,
    put_action,
    to_item,
    update_action,
)


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


def product_item(product: Product) -> dict:
    """The product without its variants, which are items of their own."""
    return to_item(
        product.model_copy(update={"variants": []}),
        PK=keys.product(product.id),
        SK=keys.PRODUCT_SK,
        GSI1PK=keys.catalogue(product.supplier_id),
        GSI1SK=keys.product(product.id),
    )


def fee_item(fee: EnterpriseFee) -> dict:
    return to_item(fee, PK=keys.fee(fee.id), SK=keys.FEE_SK, GSI1PK=keys.fees_of(fee.enterprise_id), GSI1SK=keys.fee(fee.id))


def _set(fields: dict) -> tuple[str, dict, dict]:
    """An UpdateExpression setting `fields` (JSON values), with names and values."""
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = {f":f{i}": value for i, value in enumerate(fields.values())}
    return "SET " + ", ".join(f"#f{i} = :f{i}" for i in range(len(fields))), values, names


class CatalogueRepository(Repository):
    def create_product(self, product: Product) -> None:
        self.transact([
            put_action(product_item(product), condition="attribute_not_exists(PK)"),
            *[put_action(variant_item(v), condition="attribute_not_exists(PK)") for v in product.variants],
        ])

    def get_product(self, product_id: str) -> tuple[Product, dict[str, list[str]]]:
        """The product with its variants, and the cycles whose offers copy each variant: a
        GetItem, then one Query on the supplier's catalogue for this product's items."""
        item = self.get(keys.product(product_id), keys.PRODUCT_SK, consistent=True)
        if item is None:
            raise NotFound(f"no product {product_id}", code="product_not_found")
        product = from_item(Product, item)
        offered_in = {}
        for found in self.query("GSI1PK = :pk AND begins_with(GSI1SK, :p)",
                                {":pk": keys.catalogue(product.supplier_id), ":p": f"{keys.product(product_id)}#"},
                                index=GSI1):
            product.variants.append(from_item(Variant, found))
            offered_in[found["id"]] = sorted(found.get("offered_in", set()))
        return product, offered_in

    def save_product(self, product: Product, offered_in: dict[str, list[str]]) -> None:
        """The product, and what each variant and each of its offers copies of it. The product
        and its variants change in one transaction; the offers follow, packed in transactions."""
        update, values, names = _set(product.copied_fields())
        exists = "attribute_exists(PK)"
        self.transact([
            put_action(product_item(product), condition=exists),
            *[update_action(keys.variant(v.id), keys.VARIANT_SK, update, values, exists, names) for v in product.variants],
        ])
        copies = [update_action(keys.order_cycle(c), keys.offer(v), update, values, exists, names)
                  for v, cycles in offered_in.items() for c in cycles]
        for start in range(0, len(copies), TRANSACTION_LIMIT):
            self.transact(copies[start:start + TRANSACTION_LIMIT])

    def add_variant(self, variant: Variant) -> None:
        """A new variant of a product that still exists."""
        try:
            self.transact([
                put_action(variant_item(variant), condition="attribute_not_exists(PK)"),
                condition_check_action(keys.product(variant.product_id), keys.PRODUCT_SK, "attribute_exists(PK)"),
            ])
        except TransactionCancelled:
            raise NotFound(f"no product {variant.product_id}", code="product_not_found") from None

    def delete_product(self, product: Product) -> None:
        self.transact([delete_action(keys.product(product.id), keys.PRODUCT_SK),
                       *[delete_action(keys.variant(v.id), keys.VARIANT_SK) for v in product.variants]])

    def delete_variant(self, variant_id: str) -> None:
        self.transact([delete_action(keys.variant(variant_id), keys.VARIANT_SK)])

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

    def save_variant(self, variant: Variant, previous: Variant, offered_in: list[str]) -> None:
        """Name, unit value, price and stock change on the variant and, in the same transaction,
        on its offers. The stock is written only when it changed, and then only if it is still the stock that
        was read: a sale in between must not be undone."""
        values = {":price": f"{variant.price:.2f}", ":on_demand": variant.on_demand, ":name": variant.name,
                  ":unit_value": str(variant.unit_value)}
        update = "SET price = :price, on_demand = :on_demand, #name = :name, unit_value = :unit_value"
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
        names = {"#name": "name"}
        self.transact([
            update_action(keys.variant(variant.id), keys.VARIANT_SK, update, values, condition=condition, names=names),
            *[
                update_action(keys.order_cycle(c), keys.offer(variant.id), update, copy_values,
                              condition="attribute_exists(PK)", names=names)
                for c in offered_in
            ],
        ])

    def create_fee(self, fee: EnterpriseFee) -> None:
        self.put(fee_item(fee), condition="attribute_not_exists(PK)")

    def get_fee(self, fee_id: str) -> EnterpriseFee:
        item = self.get(keys.fee(fee_id), keys.FEE_SK, consistent=True)
        if item is None:
            raise NotFound(f"no enterprise fee {fee_id}", code="fee_not_found")
        return from_item(EnterpriseFee, item)

    def save_fee(self, fee: EnterpriseFee, copied_in: list[str]) -> None:
        """The fee and its copies in the cycles named (those whose prices may still change)."""
        self.transact([
            put_action(fee_item(fee), condition="attribute_exists(PK)"),
            *[put_action(to_item(fee, PK=keys.order_cycle(c), SK=keys.fee(fee.id))) for c in copied_in],
        ])

    def delete_fee(self, fee_id: str) -> None:
        self.transact([delete_action(keys.fee(fee_id), keys.FEE_SK)])

    def fees_of(self, enterprise_id: str) -> list[EnterpriseFee]:
        return [from_item(EnterpriseFee, i) for i in self.index_partition(keys.fees_of(enterprise_id))]

    def get_fees(self, fee_ids: Iterable[str]) -> dict[str, EnterpriseFee]:
        items = self.batch_get((keys.fee(f), keys.FEE_SK) for f in fee_ids)
        return {i["id"]: from_item(EnterpriseFee, i) for i in items}
