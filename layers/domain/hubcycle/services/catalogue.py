"""A producer's catalogue (products, variants, stock, prices) and every enterprise's fees."""
from __future__ import annotations

from typing import Annotated, get_args

from pydantic import Field, StrictInt, field_validator

from hubcycle.clock import clock
from hubcycle.enterprises import Name, Text, WebAddress
from hubcycle.errors import Conflict, Invalid, NotFound
from hubcycle.fees import Calculator, EnterpriseFee, FeeType
from hubcycle.money import Money, Quantity
from hubcycle.order_cycles import OrderCycleStatus
from hubcycle.permissions import Ability
from hubcycle.products import Category, Product, Unit, Variant
from hubcycle.repository.base import TransactionCancelled
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.services import order_cycles
from hubcycle.services.auth import Caller
from hubcycle.services.bodies import Body, body_of, new_id

MAX_VARIANTS = 50
"""A product and its variants are written in one transaction (at most 100 items)."""

Stock = Annotated[StrictInt, Field(ge=0, le=10_000_000)]
"""A count of units: a JSON integer, never "5" or 5.0 or true."""


class NewVariant(Body):
    name: Name
    unit_value: Quantity
    price: Money
    on_hand: Stock | None = None
    on_demand: bool = False


class NewProduct(Body):
    name: Name
    unit: Unit
    description: Text = ""
    category: Category = ""
    image_url: WebAddress = ""
    hidden: bool = False
    variants: list[NewVariant] = Field(min_length=1, max_length=MAX_VARIANTS)


ProductChanges = body_of(Product, "ProductChanges", frozenset({"id", "supplier_id", "variants"}), optional=True)


class VariantChanges(Body):
    name: Name = None
    unit_value: Quantity = None
    price: Money = None
    on_hand: Stock | None = None
    on_demand: bool = None


_CALCULATORS = {c.model_fields["type"].default: c for c in get_args(get_args(Calculator)[0])}


class FeeChanges(Body):
    name: Name = None
    fee_type: FeeType = None
    calculator: Calculator = None

    @field_validator("calculator", mode="before")
    @classmethod
    def _no_unknown_fields(cls, value: object) -> object:
        """A misspelt optional field (`max_item`) would otherwise be dropped silently."""
        calculator = _CALCULATORS.get(value.get("type")) if isinstance(value, dict) and isinstance(value.get("type"), str) else None
        if calculator:
            unknown = sorted(set(value) - set(calculator.model_fields))
            if unknown:
                raise ValueError(f"{value['type']} has no {', '.join(unknown)}")
        return value


class NewFee(FeeChanges):
    name: Name
    fee_type: FeeType
    calculator: Calculator


def _json(model) -> dict:
    return model.model_dump(mode="json")


def create_product(caller: Caller, supplier_id: str, body: NewProduct) -> dict:
    """Managers of the producer, or of an enterprise it granted manage_products."""
    caller.require_ability(supplier_id, Ability.manage_products)
    supplier = caller.enterprises.get(supplier_id)
    if not supplier.is_producer:
        raise Invalid(f"{supplier.name} is not a producer: only producers have products.", field="is_producer")
    product = Product(id=new_id(), supplier_id=supplier_id, **body.model_dump(exclude={"variants"}))
    product.variants = [_variant_of(product, variant) for variant in body.variants]
    CatalogueRepository().create_product(product)
    return _json(product)


def _variant_of(product: Product, body: NewVariant) -> Variant:
    return Variant(id=new_id(), product_id=product.id, supplier_id=product.supplier_id,
                   **product.copied_fields(), **body.model_dump())


def product(caller: Caller, product_id: str) -> dict:
    """Those who may read the supplier's catalogue."""
    found, _ = CatalogueRepository().get_product(product_id)
    caller.require_ability(found.supplier_id, Ability.manage_products, Ability.add_to_order_cycle)
    return _json(found)


def change_product(caller: Caller, product_id: str, body) -> dict:
    """Each variant, and each of its offers in order cycles, shows the product's new name,
    description, category, image, unit and whether it is hidden. Orders placed keep the names
    they were sold with."""
    catalogue = CatalogueRepository()
    current, offered_in = catalogue.get_product(product_id)
    caller.require_ability(current.supplier_id, Ability.manage_products)
    changed = Product.model_validate({**current.model_dump(), **body.model_dump(exclude_unset=True)})
    changed.variants = [v.model_copy(update=changed.copied_fields()) for v in changed.variants]
    try:
        catalogue.save_product(changed, offered_in)
    except TransactionCancelled:
        raise Conflict("The product changed meanwhile; read it again and resend.", code="product_changed") from None
    return _json(changed)


def delete_product(caller: Caller, product_id: str) -> None:
    """Its variants leave the order cycles that are not closed first; closed cycles and placed
    orders keep what was sold (orders hold the names and prices)."""
    catalogue = CatalogueRepository()
    found, offered_in = catalogue.get_product(product_id)
    caller.require_ability(found.supplier_id, Ability.manage_products)
    order_cycles.remove_variants(set(offered_in), {c for cycles in offered_in.values() for c in cycles})
    catalogue.delete_product(found)


def add_variant(caller: Caller, product_id: str, body: NewVariant) -> dict:
    catalogue = CatalogueRepository()
    found, _ = catalogue.get_product(product_id)
    caller.require_ability(found.supplier_id, Ability.manage_products)
    if len(found.variants) >= MAX_VARIANTS:
        raise Conflict(f"A product has at most {MAX_VARIANTS} variants.", code="too_many_variants")
    variant = _variant_of(found, body)
    catalogue.add_variant(variant)
    return _json(variant)


def delete_variant(caller: Caller, variant_id: str) -> None:
    """As for a product; a product keeps at least one variant (delete the product instead)."""
    catalogue = CatalogueRepository()
    variant, offered_in = catalogue.get_variant(variant_id)
    caller.require_ability(variant.supplier_id, Ability.manage_products)
    found, _ = catalogue.get_product(variant.product_id)
    if len(found.variants) <= 1:
        raise Conflict(f"{variant.name} is the last variant of {found.name}: delete the product instead.",
                       code="last_variant")
    order_cycles.remove_variants({variant_id}, offered_in)
    catalogue.delete_variant(variant_id)


def products(caller: Caller, supplier_id: str) -> list[dict]:
    """Whoever manages the catalogue, and whoever may put its products in order cycles."""
    caller.require_ability(supplier_id, Ability.manage_products, Ability.add_to_order_cycle)
    return [_json(p) for p in CatalogueRepository().catalogue(supplier_id)]


def change_variant(caller: Caller, variant_id: str, body: VariantChanges) -> dict:
    """Price and stock, on the variant and on its copies in order cycles at once. Counting stock
    (`on_hand` without `on_demand`) ends on-demand selling."""
    catalogue = CatalogueRepository()
    variant, offered_in = catalogue.get_variant(variant_id)
    caller.require_ability(variant.supplier_id, Ability.manage_products)
    changes = body.model_dump(exclude_unset=True)
    if "on_hand" in changes and "on_demand" not in changes:
        changes["on_demand"] = False
    changed = Variant.model_validate({**variant.model_dump(), **changes})
    try:
        catalogue.save_variant(changed, variant, offered_in)
    except TransactionCancelled:
        raise Conflict(
            "The variant changed meanwhile (a sale, or its order cycles); read it again and resend.",
            code="variant_changed",
        ) from None
    return _json(changed)


def create_fee(caller: Caller, enterprise_id: str, body: NewFee) -> dict:
    caller.require_manager(enterprise_id)
    fee = EnterpriseFee(id=new_id(), enterprise_id=enterprise_id, **body.model_dump())
    CatalogueRepository().create_fee(fee)
    return _json(fee)


def fees(caller: Caller, enterprise_id: str) -> list[dict]:
    caller.require_manager(enterprise_id)
    return [_json(f) for f in CatalogueRepository().fees_of(enterprise_id)]


def change_fee(caller: Caller, enterprise_id: str, fee_id: str, body: FeeChanges) -> dict:
    """Not while an upcoming or open cycle applies the fee: its shoppers were shown prices with
    it (409 fee_in_use). Undated cycles applying it get the new version; closed cycles and
    placed orders keep the old one."""
    fee, undated = _fee_not_in_use(caller, enterprise_id, fee_id, "changed")
    changed = EnterpriseFee.model_validate({**fee.model_dump(), **body.model_dump(exclude_unset=True)})
    CatalogueRepository().save_fee(changed, [c.id for c in undated])
    return _json(changed)


def delete_fee(caller: Caller, enterprise_id: str, fee_id: str) -> None:
    """As for a change; undated cycles stop applying the fee."""
    _, undated = _fee_not_in_use(caller, enterprise_id, fee_id, "deleted")
    order_cycles.remove_fee(fee_id, undated)
    CatalogueRepository().delete_fee(fee_id)


def _fee_not_in_use(caller: Caller, enterprise_id: str, fee_id: str, done: str):
    """The fee, and the undated cycles applying it; 409 fee_in_use if an upcoming or open one does.
    A fee reaches only cycles its enterprise takes part in (hubcycle.permissions)."""
    caller.require_manager(enterprise_id)
    fee = CatalogueRepository().get_fee(fee_id)
    if fee.enterprise_id != enterprise_id:
        raise NotFound(f"{enterprise_id} has no fee {fee_id}.", code="fee_not_found")
    taking_part = {p["order_cycle_id"] for p in OrderCycleRepository().participations(enterprise_id)}
    applying = [c for c in order_cycles.cycles_not_closed(taking_part) if fee_id in c.all_fee_ids()]
    now = clock.now()
    live = next((c for c in applying if c.status(now) != OrderCycleStatus.undated), None)
    if live is not None:
        raise Conflict(f"Order cycle '{live.name}' applies this fee and is {live.status(now).value}: the fee can be "
                       f"{done} once it has closed, or once the cycle no longer applies it.",
                       field="fee_id", code="fee_in_use")
    return fee, applying
