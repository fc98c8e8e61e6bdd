"""Money is a Decimal in the currency's major unit. Amounts entered by people (prices, flat fees)
are validated to two places; computed amounts are rounded to the cent by `to_cents`, the single
rounding function, called where each fee calculator says (see hubcycle.fees)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(amount: Decimal) -> Decimal:
    """Half-up to the cent, as shops and shoppers round."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _parse_money(value: object) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a decimal string such as \"12.50\"")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a decimal string such as \"12.50\"") from None
    if not amount.is_finite():
        raise ValueError("must be a finite amount")
    if amount < 0:
        raise ValueError("must not be negative")
    if amount != amount.quantize(CENT):
        raise ValueError("must have at most two decimal places")
    if amount >= Decimal("1000000"):
        raise ValueError("must be below 1000000")
    return amount.quantize(CENT)


def _parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a decimal number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a decimal number") from None
    if not number.is_finite() or number < 0:
        raise ValueError("must be a finite, non-negative number")
    if number >= Decimal("1000000"):
        raise ValueError("must be below 1000000")
    return number


Money = Annotated[Decimal, BeforeValidator(_parse_money), PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json")]
"""An amount with at most two places, serialized as "12.50"."""

Quantity = Annotated[Decimal, BeforeValidator(_parse_decimal), PlainSerializer(lambda d: str(d), return_type=str, when_used="json")]
"""A non-negative decimal that is not money: a percentage, a unit value, a weight."""
