"""The emails hubcycle sends, rendered from domain objects into OutgoingEmail (text and HTML)."""
from __future__ import annotations

from decimal import Decimal

from hubcycle.enterprises import Language
from hubcycle.settings import settings

_DECIMAL_MARK = {Language.en: ".", Language.fr: ","}


def money_text(amount: Decimal, language: Language, currency: str = "") -> str:
    """An amount as the reader's language writes it: "12.50" in English, "12,50" in French, with
    the currency after it when given ("12,50 EUR")."""
    text = f"{amount:.2f}".replace(".", _DECIMAL_MARK[language])
    return f"{text} {currency}" if currency else text


def console_link(route: str) -> str:
    """A link into the managers' console, whose pages are hash routes (docs/admin-api.md, "Console
    links"), e.g. `order-cycles/{id}/reports/pack-by-supplier?supplier_id={id}`."""
    return f"{settings().console_url.rstrip('/')}/#/{route}"
