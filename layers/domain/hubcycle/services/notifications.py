"""Producer notifications (seed 003, "Notifier les producteurs") and the delivery of the outbox.

Every email and integration event is first an outbox item (repository.notifications), claimed by
whoever wrote it; delivering sends it and marks it sent. An SES or EventBridge error leaves it
pending, retried minutes later (services/outbox_retries) or by the sweep; the only way to send one twice is a crash in the milliseconds between SES
accepting it and the record of that (docs/scheduling.md)."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from uuid import uuid4

from botocore.exceptions import BotoCoreError, ClientError

from hubcycle.adapters import events, mail, metrics
from hubcycle.clock import clock
from hubcycle.enterprises import Enterprise
from hubcycle.notifications.hub_summary import hub_summary_email, hubs_to_tell
from hubcycle.notifications.order_changes import order_change_email
from hubcycle.notifications.producer_orders import producer_orders_email, suppliers_with_orders
from hubcycle.order_cycles import OrderCycle
from hubcycle.orders import Order
from hubcycle.repository import keys
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.notifications import (
    EMAIL,
    EVENT,
    HUB_SUMMARY,
    ORDER_CHANGE,
    OutboxItem,
    OutboxRepository,
    email_item,
    hub_summary_item,
)
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository
from hubcycle.services import outbox_retries

logger = logging.getLogger(__name__)

DELIVERY_ERRORS = (ClientError, BotoCoreError, events.PublishFailed)
_SENT = {EMAIL: "ProducerEmailsSent", HUB_SUMMARY: "HubSummariesSent", ORDER_CHANGE: "OrderChangeEmailsSent"}
_ORDER = (EVENT, EMAIL, HUB_SUMMARY, ORDER_CHANGE)
"""A cycle's event first, then the producers' emails, the hubs' summaries, the customers' emails."""
_FAILED = {EMAIL: "ProducerEmailFailures", HUB_SUMMARY: "HubSummaryFailures", ORDER_CHANGE: "OrderChangeEmailFailures"}


def closing_run(cycle: OrderCycle) -> str:
    """The automatic run of a closing: moving closes_at later makes a new run (and new emails)."""
    return f"close-{keys.iso(cycle.closes_at)}"


@dataclass
class CycleMail:
    """What one cycle's producer emails are made of, read once for all of them."""

    cycle: OrderCycle
    orders: list[Order]
    _enterprises: dict[str, Enterprise] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, cycle_id: str) -> "CycleMail":
        return cls(OrderCycleRepository().get(cycle_id), OrderRepository().orders_of_cycle(cycle_id))

    @property
    def enterprises(self) -> dict[str, Enterprise]:
        if self._enterprises is None:
            wanted = {self.cycle.coordinator_id, *suppliers_with_orders(self.orders),
                      *(order.distributor_id for order in self.orders)}
            self._enterprises = EnterpriseRepository().get_many(wanted)
        return self._enterprises

    def email_for(self, supplier_id: str, now: datetime) -> mail.OutgoingEmail | None:
        enterprises = self.enterprises
        if supplier_id not in enterprises or self.cycle.coordinator_id not in enterprises:
            return None
        return producer_orders_email(self.cycle, enterprises[supplier_id], enterprises[self.cycle.coordinator_id],
                                     enterprises, self.orders, now)

    def hub_summary_for(self, hub_id: str, now: datetime) -> mail.OutgoingEmail | None:
        if hub_id not in self.enterprises:
            return None
        return hub_summary_email(self.cycle, self.enterprises[hub_id], self.enterprises, self.orders, now)


def _email_for(item: OutboxItem, mail_of: dict[str, CycleMail], now: datetime) -> mail.OutgoingEmail | None:
    """The email an outbox item stands for, rendered now; None when there is nothing to send."""
    if item.kind == ORDER_CHANGE:
        shop = EnterpriseRepository().get_many({item.detail["distributor_id"]}).get(item.detail["distributor_id"])
        return order_change_email(item.detail, shop) if shop else None
    if item.order_cycle_id not in mail_of:
        mail_of[item.order_cycle_id] = CycleMail.load(item.order_cycle_id)
    if item.kind == HUB_SUMMARY:
        return mail_of[item.order_cycle_id].hub_summary_for(item.detail["enterprise_id"], now)
    return mail_of[item.order_cycle_id].email_for(item.supplier_id, now)


def closing_items(cycle: OrderCycle, orders: list[Order], claim: str, now: datetime) -> list[dict]:
    """The emails a closing owes: each hub's summary, and with automatic_notifications each
    producer's orders; one outbox item each, keyed by the closing's run."""
    run = closing_run(cycle)
    items = [hub_summary_item(cycle.id, run, hub_id, claim, now) for hub_id in hubs_to_tell(cycle, orders)]
    if cycle.automatic_notifications:
        items += [email_item(cycle.id, run, supplier_id, claim, now) for supplier_id in suppliers_with_orders(orders)]
    return items


def deliver(items: list[OutboxItem], claim: str, mail_of: dict[str, CycleMail] | None = None) -> Counter:
    """Send claimed items, each on its own, in `_ORDER` within a cycle. Counts what happened, by
    metric name. Whatever one item raises is recorded on that item, never stops the others. An AWS
    error leaves it pending with the reason, retried by a schedule armed here and by the sweep
    (until MAX_ATTEMPTS, then failed); any other error (an email that cannot be built) fails it at
    once, with its reason, shown in the cycle's notifications."""
    now = clock.now()
    outbox = OutboxRepository()
    mail_of = dict(mail_of or {})
    counts: Counter = Counter()
    retries: list[datetime] = []
    for item in sorted(items, key=lambda i: (i.order_cycle_id, _ORDER.index(i.kind), i.key)):
        failure = "EventPublishFailures" if item.kind == EVENT else _FAILED[item.kind]
        try:
            metric = _deliver_one(item, claim, now, outbox, mail_of)
            if metric:
                counts[metric] += 1
        except DELIVERY_ERRORS as error:
            logger.warning("%s of cycle %s not delivered: %s", item.key, item.order_cycle_id, error)
            _failed(counts, failure)
            if release_failure(outbox, item, claim, f"{type(error).__name__}: {error}") is False:
                retries.append(outbox_retries.retry_time(item.attempts, now))
        except Exception as error:  # noqa: BLE001 - one item's fault must not hold back the others
            logger.exception("%s of cycle %s cannot be delivered", item.key, item.order_cycle_id)
            _failed(counts, failure)
            release_failure(outbox, item, claim, f"{type(error).__name__}: {error}", final=True)
    if retries:
        outbox_retries.arm(min(retries))
    return counts


def _failed(counts: Counter, failure: str) -> None:
    counts[failure] += 1
    if failure != "EventPublishFailures":
        metrics.email_failed()


def _deliver_one(item: OutboxItem, claim: str, now: datetime, outbox: OutboxRepository,
                 mail_of: dict[str, CycleMail]) -> str:
    """Publish or send one item and mark it sent; the metric to count ("" for nothing to send)."""
    if item.kind == EVENT:
        events.publish(item.detail_type, item.detail or {})
        outbox.mark_sent(item, claim, now)
        return "EventsPublished"
    email = _email_for(item, mail_of, now)
    if email is None:
        outbox.release(item, claim, "nothing to send: nothing ordered, or the recipient is unknown", final=True)
        return ""
    message_id = mail.send_email(email)
    outbox.mark_sent(item, claim, now, message_id)
    return _SENT[item.kind]


def release_failure(outbox: OutboxRepository, item: OutboxItem, claim: str, reason: str,
                    final: bool = False) -> bool | None:
    """Record the failure on the item: True if it was given up, False if it waits for a retry.
    If even that fails (None), its claim goes stale and the sweep retries."""
    try:
        return outbox.release(item, claim, reason, final=final)
    except DELIVERY_ERRORS:
        logger.exception("could not record the failure of %s of cycle %s", item.key, item.order_cycle_id)
        return None


def notify_producers(cycle_id: str, *, automatic: bool) -> int:
    """Email every supplier with ordered items their current totals; returns the number of emails
    sent. A manual run is named by the second it starts, so a double click sends nothing twice;
    `automatic` uses the closing's run, so it only sends what the closing has not."""
    now = clock.now()
    cycle_mail = CycleMail.load(cycle_id)
    cycle = cycle_mail.cycle
    run = closing_run(cycle) if automatic and cycle.closes_at else f"manual-{keys.iso(now)}"
    claim = uuid4().hex
    items = [email_item(cycle.id, run, supplier_id, claim, now) for supplier_id in suppliers_with_orders(cycle_mail.orders)]
    written = OutboxRepository().add(items)
    return deliver(written, claim, {cycle.id: cycle_mail})["ProducerEmailsSent"]


def notifications_of(cycle_id: str) -> list[dict]:
    """For the cycle's admin view: every notification (run, supplier_id, status, sent_at, reason)."""
    return OutboxRepository().notifications(cycle_id)


def record_delivery_failure(detail: dict) -> int:
    """An SES event (via EventBridge) says a sent notification bounced or was marked as spam."""
    kind = detail.get("eventType", "")
    message_id = (detail.get("mail") or {}).get("messageId")
    if kind not in ("Bounce", "Complaint") or not message_id:
        return 0
    about = detail.get(kind.lower()) or {}
    reason = f"{kind}: {about.get('bounceType') or about.get('complaintFeedbackType') or 'reported by SES'}"
    if kind == "Complaint" or about.get("bounceType") == "Permanent":
        from hubcycle.services import reminders

        recipients = about.get("bouncedRecipients") or about.get("complainedRecipients") or []
        reminders.suppress([r["emailAddress"] for r in recipients if r.get("emailAddress")], reason)
    return OutboxRepository().mark_failed(message_id, reason)
