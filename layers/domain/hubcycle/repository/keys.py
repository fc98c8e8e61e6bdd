"""Every key of the single table, built in one place (docs/data-model.md lists them)."""
from __future__ import annotations

import unicodedata
from datetime import datetime, timezone


def iso(moment: datetime) -> str:
    """Sortable UTC text for sort keys: the same instant always gives the same string."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


ENTERPRISE_PREFIX = "ENT#"
"""An enterprise's partition, and in a person's partition the links to what they manage."""


def enterprise(enterprise_id: str) -> str:
    return f"{ENTERPRISE_PREFIX}{enterprise_id}"


DIRECTORY = "DIRECTORY"
"""GSI1 partition of every enterprise, sorted by its name as searched (`directory_name`)."""


def searchable(name: str) -> str:
    """Lower case without accents or repeated spaces, so "marche" finds "Marché"."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def directory_name(name: str, enterprise_id: str) -> str:
    """The id keeps namesakes apart."""
    return f"{searchable(name)}#{enterprise_id}"


def user(email: str) -> str:
    return f"USER#{email}"


ENTERPRISE_SK = "ENT"
CYCLE_SK = "#CYCLE"
PRODUCT_SK = "PRODUCT"
VARIANT_SK = "VARIANT"
FEE_SK = "FEE"
SHOPFRONT = "SHOPFRONT"
SCHEDULE = "SCHEDULE"


GRANT_PREFIX = "GRANT#"


def grant_to(grantee_id: str) -> str:
    return f"{GRANT_PREFIX}TO#{grantee_id}"


def grant_from(grantor_id: str) -> str:
    return f"{GRANT_PREFIX}FROM#{grantor_id}"


SHIPPING_PREFIX = "SHIPPING#"
PAYMENT_PREFIX = "PAYMENT#"
"""In an enterprise's partition PAYMENT# sorts before SHIPPING#: one range reads both kinds of methods."""


def shipping_method(method_id: str) -> str:
    return f"{SHIPPING_PREFIX}{method_id}"


def payment_method(method_id: str) -> str:
    return f"{PAYMENT_PREFIX}{method_id}"


CUSTOMER_PREFIX = "CUSTOMER#"


def customer(email: str) -> str:
    return f"{CUSTOMER_PREFIX}{email}"


ORDER_CYCLE_PREFIX = "OC#"
"""A cycle's partition, and in an enterprise's partition its participations."""


def order_cycle(cycle_id: str) -> str:
    return f"{ORDER_CYCLE_PREFIX}{cycle_id}"


def product(product_id: str) -> str:
    return f"PRODUCT#{product_id}"


def variant(variant_id: str) -> str:
    return f"VARIANT#{variant_id}"


def catalogue(supplier_id: str) -> str:
    return f"ENT#{supplier_id}#CATALOGUE"


SHOP_COPY_PREFIX = "#SHOP#"
"""A distributor's shop preferences copied into a cycle's partition; sorts after #CYCLE, before FEE#."""


def shop_copy(enterprise_id: str) -> str:
    return f"{SHOP_COPY_PREFIX}{enterprise_id}"


FEE_PREFIX = "FEE#"


def fee(fee_id: str) -> str:
    return f"{FEE_PREFIX}{fee_id}"


def fees_of(enterprise_id: str) -> str:
    return f"ENT#{enterprise_id}#FEES"


OFFER_PREFIX = "OFFER#"
"""In a cycle's partition #CYCLE and FEE# sort before OFFER#: checkout reads the prices without the offers."""


def offer(variant_id: str) -> str:
    return f"{OFFER_PREFIX}{variant_id}"


ORDER_PREFIX = "ORDER#"
"""Everything of a cycle's partition that sorts before this is what a shop page needs."""


def order(order_id: str) -> str:
    return f"{ORDER_PREFIX}{order_id}"


NOTIFICATION_PREFIX = "PRODUCER_EMAIL#"
"""Producer emails of the outbox: they sort after ORDER#, so the shop's reads skip them."""


def notification(run: str, supplier_id: str) -> str:
    return f"{NOTIFICATION_PREFIX}{run}#{supplier_id}"


PRODUCERS_NOTIFIED_SK = "PRODUCERS_NOTIFIED"
"""A cycle's summary of its producer emails, for the list of cycles (sorts after ORDER#: shop reads skip it)."""


OUTBOX = "OUTBOX"
"""GSI1 partition of outbox items not delivered yet, sorted by creation: the sweep's one Query."""


def outbox_event(detail_type: str, occurrence: str) -> str:
    """An integration event waiting in its cycle's partition (sorts after ORDER#: shop reads skip it)."""
    return f"OUTBOX#EVENT#{detail_type}#{occurrence}"


def ses_message(message_id: str) -> str:
    """GSI1 key of a sent notification, so an SES bounce or complaint finds it with one Query."""
    return f"SESMSG#{message_id}"


REMINDER_PREFIX = "REMINDER#"
"""Reminder emails of the outbox in a cycle's partition (after ORDER#: the shop's reads skip them)."""
REMINDER_RUN_PREFIX = "REMINDER_RUN#"
"""How far a reminder's fan-out over the shop's customers has gone, in the cycle's partition."""


def reminder_run(kind: str, shop_id: str, occurrence: str) -> str:
    return f"{REMINDER_RUN_PREFIX}{kind}#{shop_id}#{occurrence}"


def reminder(kind: str, shop_id: str, occurrence: str, email: str) -> str:
    return f"{REMINDER_PREFIX}{kind}#{shop_id}#{occurrence}#{email}"


def reminders_pending(cycle_id: str) -> str:
    """GSI1 partition of a cycle's reminder emails not delivered yet: its reminder runs retry them."""
    return f"REMINDERS#{cycle_id}"


UNSUBSCRIBED_PREFIX = "UNSUBSCRIBED#"


def unsubscribed(kind: str, email: str) -> str:
    """In a shop's partition: this address wants no more reminders of this kind from the shop."""
    return f"{UNSUBSCRIBED_PREFIX}{kind}#{email}"


SUPPRESSED = "SUPPRESSED"
"""In a person's partition (USER#email): the address bounced or complained; no reminder goes there."""
SECRETS = "SECRETS"
UNSUBSCRIBE_SECRET = "UNSUBSCRIBE"
"""The key that signs unsubscribe links, made at random on first use and kept in the table."""


RATE_LIMIT_PREFIX = "RATE#"


def rate_limit(subject: str) -> str:
    """A counter's partition: what is limited and for whom (`checkout#address#{ip}`, ...)."""
    return f"{RATE_LIMIT_PREFIX}{subject}"


def rate_window(start: datetime) -> str:
    return f"WINDOW#{iso(start)}"


def order_change(order_id: str, version: int) -> str:
    """The customer's email about one change of an order, in the outbox (sorts after ORDER#)."""
    return f"OUTBOX#ORDER_CHANGE#{order_id}#{version:06d}"


def hub_summary(run: str, enterprise_id: str) -> str:
    """A hub's closing summary of a notification run, in the outbox (sorts after ORDER#)."""
    return f"OUTBOX#HUB_SUMMARY#{run}#{enterprise_id}"
