"""Orders placed in a shop for one order cycle: line items with their per-item fees, per-order
adjustments (per-order fees, shipping and payment), and totals.

Totals, everywhere: a line's `total` = base price x quantity + its per-item fees;
`item_total` = sum of base price x quantity; `fee_total` = every fee (per-item and per-order,
shipping and payment); `total` = item_total + fee_total = sum of line totals + adjustments."""
from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, Field

from hubcycle.enterprises import Email, Entity, Name
from hubcycle.money import ZERO, Money


class OrderState(StrEnum):
    complete = "complete"
    cancelled = "cancelled"


class Adjustment(Entity):
    """A fee charged on a line or on the order. `source` says where it came from:
    an enterprise fee id, or `shipping:<id>` / `payment:<id>`."""

    label: str
    amount: Money
    source: str = ""
    enterprise_id: str | None = None


class LineItem(Entity):
    variant_id: str
    supplier_id: str
    product_name: str
    variant_name: str
    quantity: int = Field(ge=1)
    base_price: Money
    """The variant's own price, before fees."""
    price: Money
    """What the shop displays for one unit: base price plus per-item fees for a quantity of one."""
    fees: list[Adjustment] = Field(default_factory=list)
    """Per-item fees for the line's whole quantity."""
    total: Money

    @property
    def base_total(self) -> Decimal:
        return self.base_price * self.quantity


class OrderCustomer(Entity):
    email: Email
    name: Name


class Order(Entity):
    id: str
    number: str
    order_cycle_id: str
    distributor_id: str
    customer: OrderCustomer
    items: list[LineItem]
    adjustments: list[Adjustment] = Field(default_factory=list)
    item_total: Money = ZERO
    fee_total: Money = ZERO
    total: Money = ZERO
    shipping_method_id: str
    payment_method_id: str
    state: OrderState = OrderState.complete
    created_at: AwareDatetime
    ready_for: str = ""
    pickup_instructions: str = ""

    @property
    def supplier_ids(self) -> set[str]:
        return {line.supplier_id for line in self.items}
