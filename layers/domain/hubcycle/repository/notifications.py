"""Processing records and the outbox.

Opening and closing a cycle record `opened_at` / `processed_at` on the cycle item with an update
conditional on the dates and records read (so each is recorded once, and never for dates an
admin has moved since), in the same transaction as the outbox items the step owes the outside world:
- `PRODUCER_EMAIL#{run}#{supplier}`: one producer email of a notification run;
- `OUTBOX#EVENT#{detail type}#{occurrence}`: one EventBridge event for integrations;
- `OUTBOX#HUB_SUMMARY#{run}#{enterprise}`: a hub's closing summary (coordinator, distributors);
- `OUTBOX#ORDER_CHANGE#{order}#{version}`: the customer's email about a manager's correction,
  written in the correction's own transaction.
An item is `pending` until delivered (`sent`), or `failed` (given up, or bounced). Each producer
email's outcome is also summed up, in the same write, on the cycle's `PRODUCERS_NOTIFIED` item:
`notified_at` (the last one sent), `notified` (suppliers sent one) and `failed` (suppliers whose
last one failed or bounced), so the list of cycles shows it without reading every email. While pending it
sits in the sparse GSI1 partition `OUTBOX`, which is how the sweep finds what a crash or an error
left behind without a Scan. A sender owns an item while its `claim` is fresh (CLAIM_SECONDS); once
sent, a notification is indexed by its SES message id, so a bounce finds it with one Query."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from hubcycle.order_cycles import OrderCycle
from hubcycle.repository import keys
from hubcycle.repository.base import (
    TRANSACTION_LIMIT,
    Repository,
    TransactionCancelled,
    put_action,
    update_action,
)
from hubcycle.repository.order_cycles import cycle_item, unchanged
from hubcycle.repository.owed import CLAIM_SECONDS, OwedRepository

MAX_ATTEMPTS = 5
"""A notification that failed this many times is marked failed (shown to the coordinator)."""

PENDING, SENT, FAILED = "pending", "sent", "failed"
EMAIL, EVENT, HUB_SUMMARY, ORDER_CHANGE = "email", "event", "hub_summary", "order_change"
_CHECK_FAILED = "ConditionalCheckFailed"
_STATUS = {"#status": "status"}


@dataclass(frozen=True)
class OutboxItem:
    order_cycle_id: str
    key: str
    kind: str
    run: str = ""
    supplier_id: str = ""
    detail_type: str = ""
    detail: dict | None = None
    attempts: int = 0

    @classmethod
    def from_item(cls, item: dict) -> "OutboxItem":
        return cls(item["order_cycle_id"], item["SK"], item["kind"], item.get("run", ""), item.get("supplier_id", ""),
                   item.get("detail_type", ""), item.get("detail"), int(item.get("attempts", 0)))


def _new_item(cycle_id: str, sk: str, claim: str, now: datetime, **fields) -> dict:
    """Pending, in the OUTBOX index, and already claimed by the writer, who delivers it next."""
    created = keys.iso(now)
    return {
        "PK": keys.order_cycle(cycle_id), "SK": sk, "order_cycle_id": cycle_id, "status": PENDING,
        "attempts": 1, "claim": claim, "claimed_at": created, "created_at": created,
        "GSI1PK": keys.OUTBOX, "GSI1SK": f"{created}#{cycle_id}#{sk}", **fields,
    }


def email_item(cycle_id: str, run: str, supplier_id: str, claim: str, now: datetime) -> dict:
    return _new_item(cycle_id, keys.notification(run, supplier_id), claim, now,
                     kind=EMAIL, run=run, supplier_id=supplier_id)


def event_item(cycle_id: str, detail_type: str, detail: dict, occurrence: str, claim: str, now: datetime) -> dict:
    return _new_item(cycle_id, keys.outbox_event(detail_type, occurrence), claim, now,
                     kind=EVENT, detail_type=detail_type, detail=detail)


def hub_summary_item(cycle_id: str, run: str, enterprise_id: str, claim: str, now: datetime) -> dict:
    return _new_item(cycle_id, keys.hub_summary(run, enterprise_id), claim, now,
                     kind=HUB_SUMMARY, run=run, detail={"enterprise_id": enterprise_id})


def order_change_item(cycle_id: str, order_id: str, version: int, detail: dict, claim: str, now: datetime) -> dict:
    """`detail` holds what the email says (the lines before and after, the new total), as of this change."""
    return _new_item(cycle_id, keys.order_change(order_id, version), claim, now, kind=ORDER_CHANGE, detail=detail)


def _processing_action(previous: OrderCycle, processed: OrderCycle) -> dict:
    """Record the processing fields and the next due entry (or none) if the dates and records are
    still those read. The version is left alone: it is the people's (a manager's save made
    meanwhile is rebased on this record, not refused)."""
    item = cycle_item(processed)
    condition, values = unchanged(previous, ("opens_at", "closes_at", "opened_at", "processed_at"))
    values |= {":opened": item["opened_at"], ":processed": item["processed_at"]}
    update = "SET opened_at = :opened, processed_at = :processed"
    if "GSI1PK" in item:
        update += ", GSI1PK = :due_pk, GSI1SK = :due_sk"
        values |= {":due_pk": item["GSI1PK"], ":due_sk": item["GSI1SK"]}
    else:
        update += " REMOVE GSI1PK, GSI1SK"
    return update_action(keys.order_cycle(processed.id), keys.CYCLE_SK, update, values,
                         condition=f"attribute_exists(PK) AND {condition}")


def _summary_action(order_cycle_id: str, supplier_id: str, sent_at: datetime | None) -> dict:
    """A producer email sent (at `sent_at`) or failed, on its cycle's summary: a later email that
    goes through clears the supplier's failure."""
    if sent_at is None:
        return update_action(keys.order_cycle(order_cycle_id), keys.PRODUCERS_NOTIFIED_SK, "ADD failed :s",
                             {":s": {supplier_id}})
    return update_action(keys.order_cycle(order_cycle_id), keys.PRODUCERS_NOTIFIED_SK,
                         "SET notified_at = :now ADD notified :s DELETE failed :s",
                         {":now": keys.iso(sent_at), ":s": {supplier_id}})


class OutboxRepository(Repository):
    def record(self, previous: OrderCycle, processed: OrderCycle, items: list[dict]) -> list[OutboxItem] | None:
        """Save `processed` (read as `previous`) with its outbox items. None when the cycle's dates
        or records changed since it was read: nothing was recorded, read it again."""
        return self._write(items, _processing_action(previous, processed))

    def add(self, items: list[dict]) -> list[OutboxItem]:
        """Write new outbox items; those that exist already (same run) are left as they are."""
        return self._write(items, None) or []

    def _write(self, items: list[dict], cycle_action: dict | None) -> list[OutboxItem] | None:
        """Items go in transactions of at most 100 actions, the cycle's update with the last one,
        so a cycle with more suppliers than one transaction holds still records its step last.
        An item that exists already was written by an earlier run of the same step: keep it."""
        room = TRANSACTION_LIMIT - (cycle_action is not None)
        chunks = [items[start:start + room] for start in range(0, len(items), room)] or [[]]
        written: list[dict] = []
        for number, chunk in enumerate(chunks, start=1):
            extra = [cycle_action] if cycle_action and number == len(chunks) else []
            while True:
                try:
                    self.transact([*(put_action(i, condition="attribute_not_exists(PK)") for i in chunk), *extra])
                    break
                except TransactionCancelled as cancelled:
                    if extra and cancelled.reasons[len(chunk):] != ["None"]:
                        return None
                    existing = {n for n, reason in enumerate(cancelled.reasons[:len(chunk)]) if reason == _CHECK_FAILED}
                    if not existing:
                        raise
                    chunk = [item for n, item in enumerate(chunk) if n not in existing]
            written += chunk
        return [OutboxItem.from_item(i) for i in written]

    def claim(self, item: OutboxItem, claim: str, now: datetime) -> OutboxItem | None:
        """Take a pending item nobody is delivering (no claim, or a claim that went stale)."""
        try:
            self.update(
                keys.order_cycle(item.order_cycle_id), item.key,
                "SET claim = :claim, claimed_at = :now, attempts = attempts + :one",
                {":claim": claim, ":now": keys.iso(now), ":one": 1, ":pending": PENDING,
                 ":stale": keys.iso(now - timedelta(seconds=CLAIM_SECONDS))},
                condition="#status = :pending AND (attribute_not_exists(claim) OR claimed_at < :stale)",
                names=_STATUS,
            )
        except TransactionCancelled:
            return None
        return replace(item, attempts=item.attempts + 1)

    def mark_sent(self, item: OutboxItem, claim: str, now: datetime, ses_message_id: str | None = None) -> None:
        """Delivered: out of the outbox; a notification becomes findable by its SES message id."""
        values = {":sent": SENT, ":now": keys.iso(now), ":claim": claim}
        update = "SET #status = :sent, sent_at = :now REMOVE claim, claimed_at, reason"
        if ses_message_id:
            values |= {":id": ses_message_id, ":pk": keys.ses_message(ses_message_id), ":sk": "NOTIFY"}
            update = ("SET #status = :sent, sent_at = :now, ses_message_id = :id, GSI1PK = :pk, GSI1SK = :sk "
                      "REMOVE claim, claimed_at, reason")
        else:
            update += ", GSI1PK, GSI1SK"
        self._as_claimant(item, claim, update, values, now)

    def release(self, item: OutboxItem, claim: str, reason: str, final: bool = False) -> bool:
        """Delivery failed: pending again for the next run, or failed for good (`final`, or after
        MAX_ATTEMPTS). Returns True when it was given up."""
        if final or item.attempts >= MAX_ATTEMPTS:
            self._as_claimant(item, claim, "SET #status = :failed, reason = :reason REMOVE claim, claimed_at, GSI1PK, GSI1SK",
                              {":failed": FAILED, ":reason": reason[:500], ":claim": claim}, None)
            return True
        self._as_claimant(item, claim, "SET reason = :reason REMOVE claim, claimed_at",
                          {":reason": reason[:500], ":claim": claim})
        return False

    def _as_claimant(self, item: OutboxItem, claim: str, update: str, values: dict,
                     sent_at: datetime | None = None) -> None:
        """Only the item's current claimant writes its outcome (a stale one lost it to another
        sender). A producer email's outcome (sent at `sent_at`, or failed) goes on the cycle's
        summary in the same transaction; a retry that stays pending (no `#status`) changes nothing there.
        Always a transaction: the shop function, which delivers the email of a shopper's own change,
        may write only inside transactions (functions/shop/.chalice/policy.json)."""
        action = update_action(keys.order_cycle(item.order_cycle_id), item.key, update, values,
                               condition="claim = :claim", names=_STATUS if "#status" in update else None)
        summed = item.kind == EMAIL and "#status" in update
        try:
            self.transact([action, _summary_action(item.order_cycle_id, item.supplier_id, sent_at)] if summed else [action])
        except TransactionCancelled:
            pass

    def undelivered(self, created_before: datetime) -> list[OutboxItem]:
        """Pending items created before the given time, oldest first: one Query on GSI1 `OUTBOX`."""
        return [OutboxItem.from_item(i) for i in OwedRepository(self.name, self._dynamodb).undelivered(created_before)]

    def notifications(self, cycle_id: str) -> list[dict]:
        """The cycle's producer notifications, run by run, for its admin view."""
        fields = ("run", "supplier_id", "status", "sent_at", "reason")
        items = self.partition(keys.order_cycle(cycle_id), keys.NOTIFICATION_PREFIX)
        return [{field: item.get(field) for field in fields} for item in items]

    def mark_failed(self, ses_message_id: str, reason: str) -> int:
        """An SES bounce or complaint: the notification(s) sent as this message failed after all."""
        items = self.index_partition(keys.ses_message(ses_message_id))
        for item in items:
            action = update_action(item["PK"], item["SK"], "SET #status = :failed, reason = :reason",
                                   {":failed": FAILED, ":reason": reason[:500]}, names=_STATUS)
            summary = [_summary_action(item["order_cycle_id"], item["supplier_id"], None)] if item.get("kind") == EMAIL else []
            self.transact([action, *summary])
        return len(items)
