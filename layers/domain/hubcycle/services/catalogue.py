"""A producer's catalogue (products, variants, stock, prices) and every enterprise's fees."""
from __future__ import annotations

from typing import Annotated, get_args

from pydantic import Field, StrictInt, field_validator

from hubcycle.enterprises import Name
from hubcycle.errors import Conflict, Invalid
from hubcycle.fees import Calculator, EnterpriseFee, FeeType
from hubcycle.money import Money, Quantity
from hubcycle.permissions import Ability
from hubcycle.products import Product, Unit, Variant
from hubcycle.repository.base import TransactionCancelled
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.services.auth import Caller
from hubcycle.services.bodies import Body, new_id

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
    variants: list[NewVariant] = Field(min_length=1, max_length=MAX_VARIANTS)


class VariantChanges(Body):
    price: Money = None
    on_hand: Stock | None = None
    on_demand: bool = None


_CALCULATORS = {c.model_fields["type"].default: c for c in get_args(get_args(Calculator)[0])}


class NewFee(Body):
    name: Name
    fee_type: FeeType
    calculator: Calculator

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


def _json(model) -> dict:
    return model.model_dump(mode="json")


def create_product(caller: Caller, supplier_id: str, body: NewProduct) -> dict:
    """Managers of the producer, or of an enterprise it granted manage_products."""
    caller.require_ability(supplier_id, Ability.manage_products)
    supplier = caller.enterprises.get(supplier_id)
    if not supplier.is_producer:
        raise Invalid(f"{supplier.name} is not a producer: only producers have products.", field="is_producer")
    product_id = new_id()
    product = Product(
        id=product_id,
        supplier_id=supplier_id,
        name=body.name,
        unit=body.unit,
        variants=[
            Variant(id=new_id(), product_id=product_id, supplier_id=supplier_id, product_name=body.name,
                    unit=body.unit, **variant.model_dump())
            for variant in body.variants
        ],
    )
    CatalogueRepository().create_product(product)
    return _json(product)


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
    """Fees are immutable once created: order cycles keep copies of them."""
    caller.require_manager(enterprise_id)
    fee = EnterpriseFee(id=new_id(), enterprise_id=enterprise_id, **body.model_dump())
    CatalogueRepository().create_fee(fee)
    return _json(fee)


def fees(caller: Caller, enterprise_id: str) -> list[dict]:
    caller.require_manager(enterprise_id)
    return [_json(f) for f in CatalogueRepository().fees_of(enterprise_id)]
