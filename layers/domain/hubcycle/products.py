"""Products and their variants: what a producer sells, in which unit, at which price, with how
much stock. Stock is either counted (`on_hand`) or unlimited (`on_demand`)."""
from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


from pydantic import Field, model_validator

from hubcycle.enterprises import Entity, Name, Text, WebAddress, line
from hubcycle.money import Money, Quantity


class Unit(StrEnum):
    g = "g"
    kg = "kg"
    ml = "ml"
    l = "l"  # noqa: E741 - the unit's own symbol
    item = "item"


Category = line(60, min_length=0)
"""Free text, as the producer names it ("Légumes", "Cheese"); empty: none."""

_KG_PER_UNIT = {Unit.g: Decimal("0.001"), Unit.kg: Decimal("1")}


class Variant(Entity):
    id: str
    product_id: str
    supplier_id: str
    product_name: Name
    name: Name
    unit: Unit
    unit_value: Quantity
    price: Money
    on_hand: int | None = Field(default=None, ge=0)
    on_demand: bool = False
    product_description: Text = ""
    category: Category = ""
    image_url: WebAddress = ""
    hidden: bool = False
    """The product's fields a shop shows with each variant, copied here (and on to the offers)
    whenever the product changes, so a shop page stays one Query on the cycle's partition."""

    @model_validator(mode="after")
    def _stock_is_counted_or_on_demand(self) -> "Variant":
        if not self.on_demand and self.on_hand is None:
            raise ValueError("a variant needs on_hand (a count) or on_demand: true")
        return self

    @property
    def weight_kg(self) -> Decimal:
        """Weight of one unit in kg, for the `weight` fee calculator; 0 for volumes and items."""
        return self.unit_value * _KG_PER_UNIT.get(self.unit, Decimal(0))

    def can_supply(self, quantity: int) -> bool:
        return self.on_demand or (self.on_hand or 0) >= quantity

    @property
    def available(self) -> bool:
        return self.can_supply(1)


class Product(Entity):
    id: str
    supplier_id: str
    name: Name
    unit: Unit
    description: Text = ""
    category: Category = ""
    image_url: WebAddress = ""
    hidden: bool = False
    """Hidden products leave every shop at once and cannot be added to an order cycle; the cycles
    that list them keep them, so showing the product again puts it back in their shops."""
    variants: list[Variant] = Field(default_factory=list)

    def copied_fields(self) -> dict:
        """What each variant (and each offer) carries of its product."""
        return {"product_name": self.name, "unit": self.unit, "product_description": self.description,
                "category": self.category, "image_url": self.image_url, "hidden": self.hidden}


class Offer(Variant):
    """A variant as an order cycle offers it: a copy kept in the cycle's partition so that a shop
    page is one Query. `offered_in` lists every cycle holding a copy, so a stock change updates
    them all in one transaction."""

    supplier_name: str = ""
    offered_in: list[str] = Field(default_factory=list)
