"""Customer reminders in the table (docs/scheduling.md, "Customer reminders").

- `REMINDER_RUN#{kind}#{shop}#{occurrence}` in the cycle's partition: how far one reminder's
  fan-out over its recipients has gone (`cursor`, the last address covered; `done`).
- `REMINDER#{kind}#{shop}#{occurrence}#{email}` in the cycle's partition: one email of the outbox,
  claimed by its writer like every outbox item, and while pending in the sparse GSI1 partition
  `REMINDERS#{cycle}` (its runs retry it, paced; the producers' sweep never sees it).
A page of recipients is written in one transaction with the run's new cursor, conditional on the
cursor read: two invocations of the same run write each page once, and each email once."""
from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta

from hubcycle.enterprises import Customer
from hubcycle.repository import keys
from hubcycle.repository.base import (
    TRANSACTION_LIMIT,
    Repository,
    TransactionCancelled,
    from_item,
    put_action,
    update_action,
)
from hubcycle.repository.notifications import PENDING, OutboxItem
from hubcycle.repository.owed import CLAIM_SECONDS
from hubcycle.repository.table import GSI1

REMINDER = "reminder"
PAGE = TRANSACTION_LIMIT - 1
"""Recipients per transaction: their items and the run's cursor."""


def reminder_item(cycle_id: str, run_key: str, kind: str, shop_id: str, occurrence: str, email: str, name: str,
                  language: str | None, claim: str, now: datetime) -> dict:
    """`language`: the customer's (None: the shop's), kept on the item so that sending it, or
    sending it again, reads nothing more."""
    created = keys.iso(now)
    sk = keys.reminder(kind, shop_id, occurrence, email)
    return {**({"language": language} if language else {}),
        "PK": keys.order_cycle(cycle_id), "SK": sk, "order_cycle_id": cycle_id, "status": PENDING,
        "kind": REMINDER, "reminder": kind, "shop_id": shop_id, "occurrence": occurrence, "run": run_key,
        "email": email, "name": name, "attempts": 1, "claim": claim, "claimed_at": created, "created_at": created,
        "GSI1PK": keys.reminders_pending(cycle_id), "GSI1SK": f"{created}#{sk}",
    }


def as_outbox_item(item: dict) -> OutboxItem:
    """The outbox's own view of a reminder, for its claim, sent and release writes."""
    return OutboxItem(item["order_cycle_id"], item["SK"], REMINDER, attempts=int(item.get("attempts", 0)))


class ReminderRepository(Repository):
    def runs(self, cycle_id: str) -> dict[str, dict]:
        """The cycle's reminder runs by key: one Query."""
        return {i["SK"]: i for i in self.partition(keys.order_cycle(cycle_id), keys.REMINDER_RUN_PREFIX, consistent=True)}

    def customers_after(self, shop_id: str, after: str, limit: int) -> list[Customer]:
        """The shop's customers by address, after `after`: one Query of at most `limit` items."""
        items = self.query("PK = :pk AND SK BETWEEN :from AND :to",
                           {":pk": keys.enterprise(shop_id), ":from": keys.customer(after) + "\x00",
                            ":to": keys.customer("\uffff")}, limit=limit)
        return [from_item(Customer, i) for i in items]

    def blocked(self, shop_id: str, kind: str, emails: list[str]) -> set[str]:
        """Of these addresses, those unsubscribed from this shop's reminders of this kind, or
        bounced or complained about anywhere: one BatchGetItem per 50 addresses."""
        wanted = [(keys.enterprise(shop_id), keys.unsubscribed(kind, e)) for e in emails]
        wanted += [(keys.user(e), keys.SUPPRESSED) for e in emails]
        found = self.batch_get(wanted)
        return {i["email"] for i in found}

    def write_page(self, cycle_id: str, run_key: str, cursor: str, next_cursor: str, done: bool,
                   items: list[dict], now: datetime) -> bool:
        """The page's items and the run's new cursor, if the cursor is still the one read (else
        another invocation wrote this page: False, read the run again)."""
        condition = "attribute_not_exists(#cursor)" if not cursor else "#cursor = :cursor"
        values = {":next": next_cursor, ":done": done, ":now": keys.iso(now)}
        if cursor:
            values[":cursor"] = cursor
        run = update_action(keys.order_cycle(cycle_id), run_key, "SET #cursor = :next, done = :done, updated_at = :now",
                            values, condition=condition, names={"#cursor": "cursor"})
        try:
            self.transact([*(put_action(i, condition="attribute_not_exists(PK)") for i in items), run])
        except TransactionCancelled:
            return False
        return True

    def pending(self, cycle_id: str, now: datetime, limit: int) -> list[dict]:
        """The cycle's reminders not delivered, nobody delivering them (no claim, or a stale one)."""
        stale = keys.iso(now - timedelta(seconds=CLAIM_SECONDS))
        items = self.query("GSI1PK = :pk", {":pk": keys.reminders_pending(cycle_id)}, index=GSI1, limit=limit)
        return [i for i in items if "claim" not in i or i.get("claimed_at", "") < stale]

    def counts(self, cycle_id: str) -> dict[tuple[str, str], Counter]:
        """(kind, shop) -> statuses of the cycle's reminder emails."""
        found: dict[tuple[str, str], Counter] = {}
        for item in self.partition(keys.order_cycle(cycle_id), keys.REMINDER_PREFIX):
            found.setdefault((item["reminder"], item["shop_id"]), Counter())[item["status"]] += 1
        return found

    def unsubscribe(self, shop_id: str, kind: str, email: str, now: datetime) -> None:
        """Written by the shop function, which writes only in transactions (its IAM policy)."""
        self.transact([put_action({"PK": keys.enterprise(shop_id), "SK": keys.unsubscribed(kind, email), "email": email,
                                   "kind": kind, "at": keys.iso(now)})])

    def is_unsubscribed(self, shop_id: str, kind: str, email: str) -> bool:
        return self.get(keys.enterprise(shop_id), keys.unsubscribed(kind, email)) is not None

    def suppress(self, email: str, reason: str, now: datetime) -> None:
        """A bounce or complaint: no reminder of any shop goes to this address again."""
        self.put({"PK": keys.user(email), "SK": keys.SUPPRESSED, "email": email, "reason": reason[:500],
                  "at": keys.iso(now)})

    def unsubscribe_secret(self) -> bytes:
        """The signing key, made on first use (of two first uses, the one written first wins)."""
        item = self.get(keys.SECRETS, keys.UNSUBSCRIBE_SECRET, consistent=True)
        if item is None:
            try:
                self.transact([put_action({"PK": keys.SECRETS, "SK": keys.UNSUBSCRIBE_SECRET, "key": secrets.token_hex(32)},
                                          condition="attribute_not_exists(PK)")])
            except TransactionCancelled:
                pass
            item = self.get(keys.SECRETS, keys.UNSUBSCRIBE_SECRET, consistent=True)
        return bytes.fromhex(item["key"])
