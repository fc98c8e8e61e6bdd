"""The emails hubcycle sends, rendered from domain objects into OutgoingEmail (text and HTML)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hubcycle.enterprises import Language
from hubcycle.settings import settings

_DECIMAL_MARK = {Language.en: ".", Language.fr: ",", "es": ","}


def money_text(amount: Decimal, language: Language | str, currency: str = "") -> str:
    """An amount as the reader's language writes it: "12.50" in English, "12,50" in French, with
    the currency after it when given ("12,50 EUR")."""
    text = f"{amount:.2f}".replace(".", _DECIMAL_MARK[language])
    return f"{text} {currency}" if currency else text


_WEEKDAYS = {
    Language.en: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    Language.fr: ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
}
_MONTHS = {
    Language.en: ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"],
    Language.fr: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                  "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
}


def date_text(moment: datetime, zone: ZoneInfo, language: Language | str, year: bool = False) -> str:
    """A moment as the reader says its day, in the shop's timezone: "Saturday 5 December, 09:00",
    "samedi 5 décembre 2026, 09:00" (with `year`)."""
    local = moment.astimezone(zone)
    day = f"{_WEEKDAYS[language][local.weekday()]} {local.day} {_MONTHS[language][local.month - 1]}"
    return f"{day} {local.year}, {local:%H:%M}" if year else f"{day}, {local:%H:%M}"


def console_link(route: str) -> str:
    """A link into the managers' console, whose pages are hash routes (docs/admin-api.md, "Console
    links"), e.g. `order-cycles/{id}/reports/pack-by-supplier?supplier_id={id}`."""
    return f"{settings().console_url.rstrip('/')}/#/{route}"
