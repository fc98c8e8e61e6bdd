"""Enterprises (profiles, shops, hubs), their managers, their shipping and payment methods,
and their customers. Seed 000: a profile only lists itself and supplies others; a shop sells its
own goods; a hub sells many producers' goods."""
from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationInfo,
)

from hubcycle.money import ZERO, Money

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LINE_BREAKS_AND_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROLS_BUT_LINE_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _read_back(info: ValidationInfo) -> bool:
    """Text rules are for what people enter: items stored before a rule existed stay readable
    (repository.base.from_item says so in the context), and emails make their headers safe."""
    return bool(info.context and info.context.get("stored"))


def single_line(value: str, info: ValidationInfo) -> str:
    """Names, ready_for, emails, ids: one line of text. A line break or control character in one
    would break the email headers and subjects it ends up in (issue 15)."""
    if not _read_back(info) and _LINE_BREAKS_AND_CONTROLS.search(value):
        raise ValueError("must be one line of text: no line breaks (CR, LF, U+2028, U+0085...) or control characters")
    return value


def multi_line(value: str, info: ValidationInfo) -> str:
    """Instructions and descriptions keep their line breaks (CR, LF), but no other control character."""
    if not _read_back(info) and _CONTROLS_BUT_LINE_BREAKS.search(value):
        raise ValueError("must be text: line breaks are fine, other control characters (and U+2028) are not")
    return value


def _email(value: str, info: ValidationInfo) -> str:
    value = single_line(value, info).strip().lower()
    if not _EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of zones, such as "America"
        raise ValueError("must be an IANA timezone such as Europe/Paris") from None
    return value


def line(max_length: int, min_length: int = 1):
    """A single-line text field (stripped): every name-like field is one of these."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
                     AfterValidator(single_line)]


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
TimeZoneName = Annotated[str, StringConstraints(max_length=64), AfterValidator(single_line), AfterValidator(_timezone)]
Name = line(120)
Text = Annotated[str, StringConstraints(max_length=2000), AfterValidator(multi_line)]
Phone = line(40, min_length=0)
_WEB_ADDRESS = re.compile(r"^https?://[^\s]+$")


def _web_address(value: str) -> str:
    """Empty (none), or an http(s) address: an image the storefront shows as it is."""
    if value and not _WEB_ADDRESS.match(value):
        raise ValueError("must be an http:// or https:// address")
    return value


WebAddress = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(single_line),
                       AfterValidator(_web_address)]


class EnterpriseKind(StrEnum):
    profile = "profile"
    shop = "shop"
    hub = "hub"


class Language(StrEnum):
    en = "en"
    fr = "fr"


ShopperLanguage = Literal["en", "fr", "es"]
"""The storefront's languages: a shop's emails to its shoppers are written in each of them."""


class Entity(BaseModel):
    """Every domain model. Validators are built on a model's first use (`defer_build`), not at
    import: a function's cold start pays only for the models its first request needs."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True, defer_build=True)


def _stored_integer(value: object) -> object:
    """DynamoDB gives numbers back as Decimal: a whole one is the integer written."""
    return int(value) if isinstance(value, Decimal) and value == value.to_integral_value() else value


class Reminders(Entity):
    """Which reminder emails the shop sends its customers (docs/scheduling.md, "Customer reminders").
    A misspelt choice is refused, not ignored: the manager would believe it made."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)

    shop_open: StrictBool = False
    closing_soon_hours: Annotated[StrictInt, BeforeValidator(_stored_integer), Field(ge=1, le=72)] | None = None
    """Hours before the closing at which customers who have not ordered yet are reminded; None: never."""


class Enterprise(Entity):
    id: str
    name: Name
    kind: EnterpriseKind
    is_producer: bool = False
    email: Email
    timezone: TimeZoneName = "UTC"
    language: Language = Language.en
    owner_email: Email
    manager_emails: list[Email] = Field(default_factory=list)
    customer_names_to_suppliers: bool = False
    cycle_sort: Literal["opens_at", "closes_at"] = "closes_at"
    """How the storefront orders this shop's open cycles (seed 003: "par date de fermeture ou
    par date d'ouverture")."""
    hide_sold_out: bool = False
    """The storefront leaves this shop's sold-out products out instead of showing them as sold out
    (issue 14; seed 003: the reference system hides them). Copied into the cycles the shop sells in
    (repository/order_cycles.py, shop copies) so a products page stays one Query."""
    description: Text = ""
    address: Text = ""
    phone: Phone = ""
    reminders: Reminders = Field(default_factory=Reminders)
    logo_url: WebAddress = ""
    """Where the logo is served, e.g. the `image_url` of an upload (POST /enterprises/{id}/uploads)."""

    @property
    def can_coordinate(self) -> bool:
        """A profile cannot run order cycles (seed 003)."""
        return self.kind != EnterpriseKind.profile

    @property
    def is_producer_shop(self) -> bool:
        """A shop sells only its own goods: its cycles have itself as only supplier and distributor."""
        return self.kind == EnterpriseKind.shop

    def is_managed_by(self, email: str) -> bool:
        return email == self.owner_email or email in self.manager_emails

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class ShippingMethod(Entity):
    id: str
    enterprise_id: str
    name: Name
    pickup: bool = True
    fee: Money = ZERO
    description: Text = ""


class PaymentMethod(Entity):
    id: str
    enterprise_id: str
    name: Name
    fee: Money = ZERO
    description: Text = ""
    """What the shopper needs to pay, e.g. bank details."""


class Customer(Entity):
    """A shopper as one enterprise knows them; tags drive conditional display (seed 001)."""

    enterprise_id: str
    email: Email
    name: Name
    tags: list[line(40)] = Field(
        default_factory=list
    )
    language: ShopperLanguage | None = None
    """The language of their last order at this enterprise (checkout writes it): their reminders
    follow it (None: the shop's)."""
