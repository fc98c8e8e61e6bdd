"""Money is a Decimal in the currency's major unit. Amounts entered by people (prices, flat fees)
are validated to two places; computed amounts are rounded to the cent by `to_cents`, the single
rounding function, called where each fee calculator says (see hubcycle.fees)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LIMIT = Decimal("1000000")
"""Every amount and quantity people enter is below this."""
_QUANTITY_STEP = Decimal("0.000001")


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
    if amount >= LIMIT:  # before quantize, which cannot hold 1e28 and more
        raise ValueError("must be below 1000000")
    if amount != amount.quantize(CENT):
        raise ValueError("must have at most two decimal places")
    return amount.quantize(CENT).copy_abs()  # "-0" is 0.00, never "-0.00"


def _parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise ValueError("must be a decimal number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a decimal number") from None
    if not number.is_finite() or number < 0:
        raise ValueError("must be a finite, non-negative number")
    if number >= LIMIT:
        raise ValueError("must be below 1000000")
    if number != number.quantize(_QUANTITY_STEP):  # 1e-200 would be beyond what DynamoDB stores
        raise ValueError("must have at most 6 decimal places")
    return number.copy_abs()


Money = Annotated[Decimal, BeforeValidator(_parse_money), PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json")]
"""An amount with at most two places, serialized as "12.50"."""

Quantity = Annotated[Decimal, BeforeValidator(_parse_decimal), PlainSerializer(lambda d: str(d), return_type=str, when_used="json")]
"""A non-negative decimal that is not money: a percentage, a unit value, a weight."""


def _parse_count(value: object) -> int:
    """A whole number as JSON writes it (5, not "5", true or 1e20), or as DynamoDB returns it."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value):
        raise ValueError("must be a whole number, such as 5")
    if not 0 <= value < LIMIT:
        raise ValueError("must be from 0 to 999999")
    return int(value)


Count = Annotated[int, BeforeValidator(_parse_count)]
"""A whole, non-negative number below LIMIT: a count of items."""
