"""The emails hubcycle sends, rendered from domain objects into OutgoingEmail (text and HTML)."""
from __future__ import annotations

from decimal import Decimal

from hubcycle.enterprises import Language

_DECIMAL_MARK = {Language.en: ".", Language.fr: ","}


def money_text(amount: Decimal, language: Language) -> str:
    """An amount as the reader's language writes it: "12.50" in English, "12,50" in French."""
    return f"{amount:.2f}".replace(".", _DECIMAL_MARK[language])
