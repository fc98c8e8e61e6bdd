"""Enterprise fees and what they add to a shopper's order (api-v1 "Fee calculators").

A fee reaches an order through the exchange that names it: coordinator fees reach every line of
every shop of the cycle; a supplier's incoming-exchange fees reach the lines of that supplier's
variants listed in its exchange; a distributor's outgoing-exchange fees reach, in its own shop
only, the lines of the variants its exchange carries. A fee named by two exchanges is charged
through each of them, as each is a separate decision by whoever set it.

Per-item calculators charge each carried line for its quantity; per-order calculators charge once
per order that has at least one carried line, computed on the carried lines. Amounts are rounded
to the cent only where each calculator says, through `hubcycle.money.to_cents`."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import Field

from hubcycle.enterprises import Entity, Name, PaymentMethod, ShippingMethod
from hubcycle.money import ZERO, Count, Money, Quantity, to_cents
from hubcycle.order_cycles import OrderCycle
from hubcycle.orders import Adjustment, LineItem
from hubcycle.products import Variant

Line = tuple[Variant, int]
"""A variant and the quantity ordered."""

_HUNDRED = Decimal(100)


class FeeType(StrEnum):
    packing = "packing"
    transport = "transport"
    admin = "admin"
    sales = "sales"
    fundraising = "fundraising"


class PerItemCalculator(Entity):
    """Charged on each carried line, for the line's whole quantity."""

    def charge(self, variant: Variant, quantity: int) -> Decimal:
        raise NotImplementedError


class PerOrderCalculator(Entity):
    """Charged once per order, on the lines the fee's exchange carries."""

    def charge(self, lines: Sequence[Line]) -> Decimal:
        raise NotImplementedError


class FlatRatePerItem(PerItemCalculator):
    type: Literal["flat_rate_per_item"] = "flat_rate_per_item"
    amount: Money

    def charge(self, variant: Variant, quantity: int) -> Decimal:
        return self.amount * quantity


class FlatPercentPerItem(PerItemCalculator):
    """The shopper sees the same fee on every unit, so each unit's share is rounded first."""

    type: Literal["flat_percent_per_item"] = "flat_percent_per_item"
    percent: Quantity

    def charge(self, variant: Variant, quantity: int) -> Decimal:
        return to_cents(variant.price * self.percent / _HUNDRED) * quantity


class FlatPercentItemTotal(PerItemCalculator):
    """A percentage of the line's value, rounded once for the line."""

    type: Literal["flat_percent_item_total"] = "flat_percent_item_total"
    percent: Quantity

    def charge(self, variant: Variant, quantity: int) -> Decimal:
        return to_cents(variant.price * quantity * self.percent / _HUNDRED)


class Weight(PerItemCalculator):
    """Per kg shipped; volumes and items weigh nothing here (see Variant.weight_kg)."""

    type: Literal["weight"] = "weight"
    per_kg: Money

    def charge(self, variant: Variant, quantity: int) -> Decimal:
        return to_cents(self.per_kg * variant.weight_kg * quantity)


class FlatRate(PerOrderCalculator):
    type: Literal["flat_rate"] = "flat_rate"
    amount: Money

    def charge(self, lines: Sequence[Line]) -> Decimal:
        return self.amount


class FlexiRate(PerOrderCalculator):
    """Open Food Network's flexible rate: `first_item` for the first unit, `additional_item` for
    each further unit, counting at most `max_items` units. Unlike OFN, whose current code charges
    nothing when `max_items` is 0, 0 here means "no cap" (as OFN's earlier calculator did)."""

    type: Literal["flexi_rate"] = "flexi_rate"
    first_item: Money
    additional_item: Money
    max_items: Count = 0

    def charge(self, lines: Sequence[Line]) -> Decimal:
        items = sum(quantity for _, quantity in lines)
        counted = min(items, self.max_items) if self.max_items else items
        return self.first_item + self.additional_item * (counted - 1)


class PriceSack(PerOrderCalculator):
    """A discount once the carried goods reach `minimal_amount`: small orders pay the normal fee."""

    type: Literal["price_sack"] = "price_sack"
    minimal_amount: Money
    normal_amount: Money
    discount_amount: Money

    def charge(self, lines: Sequence[Line]) -> Decimal:
        item_total = sum((variant.price * quantity for variant, quantity in lines), ZERO)
        return self.normal_amount if item_total < self.minimal_amount else self.discount_amount


Calculator = Annotated[
    Union[FlatRatePerItem, FlatPercentPerItem, FlatPercentItemTotal, Weight, FlatRate, FlexiRate, PriceSack],
    Field(discriminator="type"),
]


class EnterpriseFee(Entity):
    id: str
    enterprise_id: str
    name: Name
    fee_type: FeeType
    calculator: Calculator

    @property
    def per_item(self) -> bool:
        return isinstance(self.calculator, PerItemCalculator)

    @property
    def label(self) -> str:
        """How the fee reads on an order, e.g. "Packing: Veg boxes"."""
        return f"{self.fee_type.capitalize()}: {self.name}"

    def adjustment(self, amount: Decimal) -> Adjustment:
        return Adjustment(label=self.label, amount=amount, source=self.id, enterprise_id=self.enterprise_id)


class AppliedFee(Entity):
    """A fee as an exchange applies it: to the variants that exchange carries (None: to all).
    An order keeps those that reached it, to be repriced by the same rules after a correction."""

    fee: EnterpriseFee
    variant_ids: frozenset[str] | None = None

    def carries(self, variant: Variant) -> bool:
        return self.variant_ids is None or variant.id in self.variant_ids

    def restricted_to(self, variant_ids: set[str]) -> AppliedFee | None:
        """This fee as it reaches an order of these variants only; None if it reaches none."""
        if self.variant_ids is None:
            return self
        carried = self.variant_ids & variant_ids
        return AppliedFee.model_construct(fee=self.fee, variant_ids=carried) if carried else None


def fees_in_shop(cycle: OrderCycle, distributor_id: str, fees: Mapping[str, EnterpriseFee]) -> list[AppliedFee]:
    """Every fee that reaches an order in this distributor's shop. `fees` must hold each fee the
    cycle names: a missing one is a KeyError, never a silently cheaper order. Built without
    validation (the fees and exchanges are models already): a shop page prices each variant."""

    def applied(fee_ids: list[str], carried: frozenset[str] | None) -> list[AppliedFee]:
        return [AppliedFee.model_construct(fee=fees[fee_id], variant_ids=carried) for fee_id in fee_ids]

    result = applied(cycle.coordinator_fee_ids, None)
    for incoming in cycle.incoming:
        result += applied(incoming.fee_ids, frozenset(incoming.variant_ids))
    outgoing = cycle.outgoing_of(distributor_id)
    if outgoing is not None:
        result += applied(outgoing.fee_ids, frozenset(outgoing.variant_ids))
    return result


def _line_fees(applied: list[AppliedFee], variant: Variant, quantity: int) -> list[Adjustment]:
    """The per-item fees of one line; fees that come to nothing are left off."""
    charges = [
        (a.fee, a.fee.calculator.charge(variant, quantity))
        for a in applied
        if a.fee.per_item and a.carries(variant)
    ]
    return [fee.adjustment(amount) for fee, amount in charges if amount]


def _unit_price(applied: list[AppliedFee], variant: Variant) -> Decimal:
    return variant.price + sum((a.amount for a in _line_fees(applied, variant, 1)), ZERO)


def shop_price(cycle: OrderCycle, distributor_id: str, variant: Variant, fees: Mapping[str, EnterpriseFee]) -> Decimal:
    """The price this shop displays: the variant's price plus its per-item fees for one unit."""
    return shop_prices(cycle, distributor_id, [variant], fees)[0]


def shop_prices(cycle: OrderCycle, distributor_id: str, variants: list[Variant],
                fees: Mapping[str, EnterpriseFee]) -> list[Decimal]:
    """Each variant's shop_price, the shop's fees gathered once for all (a products page)."""
    applied = fees_in_shop(cycle, distributor_id, fees)
    return [_unit_price(applied, variant) for variant in variants]


class PricedOrder(Entity):
    """An order's money, before it is stored: total == item_total + fee_total
    == sum of line totals + sum of adjustments."""

    items: list[LineItem]
    adjustments: list[Adjustment]
    item_total: Money
    fee_total: Money
    total: Money
    fees_applied: list[dict]
    """The fees that reached these lines, as the order keeps them (Order.fees_applied)."""


def _method_adjustment(kind: str, method: ShippingMethod | PaymentMethod | None) -> list[Adjustment]:
    if method is None or not method.fee:
        return []
    return [
        Adjustment(
            label=f"{kind.capitalize()}: {method.name}",
            amount=method.fee,
            source=f"{kind}:{method.id}",
            enterprise_id=method.enterprise_id,
        )
    ]


def price_order(
    cycle: OrderCycle,
    distributor_id: str,
    lines: list[Line],
    fees: Mapping[str, EnterpriseFee],
    shipping: ShippingMethod,
    payment: PaymentMethod,
) -> PricedOrder:
    """Prices the lines of one order in this distributor's shop. The caller has already checked
    that each variant is sold there; this only adds up."""
    return price_lines(fees_in_shop(cycle, distributor_id, fees), lines, shipping, payment)


def reprice(fees_applied: list[dict], lines: list[Line], shipping: ShippingMethod | None,
            payment: PaymentMethod | None) -> PricedOrder:
    """An order's lines priced again with what it was sold with (Order.fees_applied, its methods)."""
    return price_lines([AppliedFee.model_validate(a) for a in fees_applied], lines, shipping, payment)


def price_lines(
    applied: list[AppliedFee],
    lines: list[Line],
    shipping: ShippingMethod | None,
    payment: PaymentMethod | None,
) -> PricedOrder:
    """The one pricing of an order, at checkout and after a correction."""
    items = []
    for variant, quantity in lines:
        line_fees = _line_fees(applied, variant, quantity)
        items.append(
            LineItem(
                variant_id=variant.id,
                supplier_id=variant.supplier_id,
                product_name=variant.product_name,
                variant_name=variant.name,
                quantity=quantity,
                base_price=variant.price,
                price=_unit_price(applied, variant),
                fees=line_fees,
                total=variant.price * quantity + sum((f.amount for f in line_fees), ZERO),
                unit=variant.unit,
                unit_value=variant.unit_value,
                on_demand=variant.on_demand,
            )
        )
    adjustments = []
    for a in applied:
        if a.fee.per_item:
            continue
        carried = [(variant, quantity) for variant, quantity in lines if a.carries(variant)]
        amount = a.fee.calculator.charge(carried) if carried else ZERO
        if amount:
            adjustments.append(a.fee.adjustment(amount))
    adjustments += _method_adjustment("shipping", shipping) + _method_adjustment("payment", payment)

    ordered = {variant.id for variant, _ in lines}
    item_total = sum((line.base_total for line in items), ZERO)
    fee_total = sum((f.amount for line in items for f in line.fees), ZERO) + sum((a.amount for a in adjustments), ZERO)
    return PricedOrder(
        items=items,
        adjustments=adjustments,
        item_total=item_total,
        fee_total=fee_total,
        total=item_total + fee_total,
        fees_applied=[kept.model_dump(mode="json") for a in applied if (kept := a.restricted_to(ordered)) is not None],
    )
