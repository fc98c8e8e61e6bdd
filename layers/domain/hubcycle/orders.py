"""Orders placed in a shop for one order cycle: line items with their per-item fees, per-order
adjustments (per-order fees, shipping and payment), and totals.

Totals, everywhere: a line's `total` = base price x quantity + its per-item fees;
`item_total` = sum of base price x quantity; `fee_total` = every fee (per-item and per-order,
shipping and payment); `total` = item_total + fee_total = sum of line totals + adjustments.

An order keeps what it was sold with (its lines' prices and units, the fees each exchange applied
to them, the shipping and payment methods), so that a manager's correction reprices it by the same
rules as checkout whatever was edited since, and a history of who changed what, when."""
from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, Field

from hubcycle.enterprises import Email, Entity, Name, PaymentMethod, Phone, ShippingMethod, ShopperLanguage, line
from hubcycle.money import ZERO, Money, Quantity
from hubcycle.products import Unit, Variant


class OrderState(StrEnum):
    placed = "placed"
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
    unit: Unit = Unit.item
    unit_value: Quantity = Decimal(1)
    on_demand: bool = False
    """Sold on demand: no stock was taken, so none goes back when the line shrinks."""

    @property
    def base_total(self) -> Decimal:
        return self.base_price * self.quantity

    def as_sold(self) -> Variant:
        """The variant as it was sold (price, unit, supplier): what repricing the line starts from."""
        return Variant(id=self.variant_id, product_id="", supplier_id=self.supplier_id, product_name=self.product_name,
                       name=self.variant_name, unit=self.unit, unit_value=self.unit_value, price=self.base_price,
                       on_hand=None if self.on_demand else 0, on_demand=self.on_demand)




class OrderCustomer(Entity):
    email: Email
    name: Name


class DeliveryAddress(Entity):
    """Where a delivery goes; checkout asks for it when the shipping method is not a pickup."""

    name: Name
    line1: line(200)
    line2: line(200, min_length=0) = ""
    postcode: line(20)
    city: line(100)
    phone: Phone = ""


class LineChange(Entity):
    variant_id: str
    product_name: str
    variant_name: str
    before: int
    after: int


class HistoryEntry(Entity):
    """One change of an order: when, by whom (a manager's email), and what, in a sentence."""

    at: AwareDatetime
    by: str
    change: str


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
    state: OrderState = OrderState.placed
    created_at: AwareDatetime
    ready_for: str = ""
    pickup_instructions: str = ""
    shipping_method: ShippingMethod | None = None
    payment_method: PaymentMethod | None = None
    """The methods as sold (name, fee): what a correction charges again."""
    fees_applied: list[dict] = Field(default_factory=list)
    """The fees checkout applied, each with the order's variants its exchange carries
    (hubcycle.fees.AppliedFee's JSON form; a dict here because fees builds on this module)."""
    delivery_address: DeliveryAddress | None = None
    paid: bool = False
    collected: bool = False
    history: list[HistoryEntry] = Field(default_factory=list)
    version: int = 0
    """Optimistic lock: a change is written only over the version it read."""
    language: ShopperLanguage | None = None
    """The language the shopper ordered in: their emails follow it (None: the shop's)."""
    manage_hash: str = ""
    """SHA-256 of the secret of the shopper's private link (services.my_orders); never the secret."""

    @property
    def supplier_ids(self) -> set[str]:
        return {line.supplier_id for line in self.items}

    def line(self, variant_id: str) -> LineItem | None:
        return next((line for line in self.items if line.variant_id == variant_id), None)


def line_changes(order: Order, quantities: dict[str, int]) -> list[LineChange]:
    """The lines whose quantity `quantities` changes (variant id -> new quantity, 0 removes)."""
    return [
        LineChange(variant_id=line.variant_id, product_name=line.product_name, variant_name=line.variant_name,
                   before=line.quantity, after=quantities[line.variant_id])
        for line in order.items
        if line.variant_id in quantities and quantities[line.variant_id] != line.quantity
    ]


_FLAG_WORDS = {("paid", True): "marked paid", ("paid", False): "marked unpaid",
               ("collected", True): "marked collected", ("collected", False): "marked not collected"}


def describe(changes: list[LineChange], flags: dict[str, bool], cancelled: bool = False) -> str:
    """A change of an order in one sentence, for its history."""
    parts = ["cancelled: every line's stock returned"] if cancelled else [
        f"{c.product_name} ({c.variant_name}) removed (was {c.before})" if c.after == 0
        else f"{c.product_name} ({c.variant_name}): {c.before} → {c.after}"
        for c in changes
    ]
    parts += [_FLAG_WORDS[flag, value] for flag, value in flags.items()]
    return "; ".join(parts) or "nothing changed"
