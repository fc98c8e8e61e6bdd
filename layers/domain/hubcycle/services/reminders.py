"""Customer reminders (issue 16, docs/scheduling.md "Customer reminders"): "shop open", "closing
soon" and "ready for pickup" emails to a shop's customers, each exactly once per customer, cycle,
shop, kind and date, through the outbox.

One one-time schedule per cycle (`oc-{id}-remind`) wakes `run` at the next reminder due; like the
opening and closing, the schedule is a hint and the data is the truth: `run` works out which
reminders are due from the cycle and its shops' settings, fans each out over its recipients a
page at a time (the page's outbox items and the run's cursor in one conditional transaction),
sends what it wrote at the configured SES rate within a time budget, and re-arms the schedule:
seconds ahead while work is left, RETRY_AFTER ahead after SES errors, else at the next reminder."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from botocore.exceptions import BotoCoreError, ClientError

from hubcycle.adapters import mail, metrics
from hubcycle.adapters.schedules import put_schedule
from hubcycle.clock import clock
from hubcycle.enterprises import Enterprise
from hubcycle.errors import Forbidden, Invalid, NotFound
from hubcycle.notifications.reminders import CLOSING_SOON, KINDS, READY, SHOP_OPEN, reminder_email
from hubcycle.notifications.reminders import unsubscribe_page as unsubscribe_page_html
from hubcycle.order_cycles import OrderCycle
from hubcycle.orders import Order, OrderState
from hubcycle.permissions import OrderCycleAccess, PermissionGraph
from hubcycle.repository import keys
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.notifications import FAILED, PENDING, SENT, OutboxRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository
from hubcycle.repository.owed import CLAIM_SECONDS
from hubcycle.repository.reminders import PAGE, ReminderRepository, as_outbox_item, reminder_item
from hubcycle.services.auth import Caller
from hubcycle.services.notifications import release_failure
from hubcycle.settings import settings

logger = logging.getLogger(__name__)

REMIND = "remind"
LEAD = timedelta(seconds=2)
"""Scheduler wants an `at` in the future: work due now is armed this far ahead."""
RETRY_AFTER = timedelta(minutes=5)
"""After SES errors, the next attempt (each email gives up after MAX_ATTEMPTS)."""
READY_WINDOW = timedelta(days=2)
"""A "ready for pickup" email not sent within this of its time is not sent at all (stale)."""
SEND_BUDGET_SECONDS = 20.0
"""Sending time per invocation: the scheduler function's timeout is 30 s."""
STOP_AFTER_SES_ERRORS = 3
"""SES errors in a row after which this invocation stops (throttled or down) and retries later."""


@dataclass(frozen=True)
class Run:
    """One reminder of one shop in one cycle, named by its date: moving the date makes a new run."""

    kind: str
    shop_id: str
    occurrence: str
    starts: datetime
    ends: datetime

    @property
    def key(self) -> str:
        return keys.reminder_run(self.kind, self.shop_id, self.occurrence)


def runs_of(cycle: OrderCycle, shops: dict[str, Enterprise]) -> list[Run]:
    """The reminders the cycle's shops chose: "shop open" from the opening to the closing,
    "closing soon" from N hours before the closing (not before the opening), "ready" at its time."""
    if cycle.opens_at is None or cycle.closes_at is None:
        return []
    runs = []
    for exchange in cycle.outgoing:
        shop = shops.get(exchange.distributor_id)
        if shop is None:
            continue
        if shop.reminders.shop_open:
            runs.append(Run(SHOP_OPEN, shop.id, keys.iso(cycle.opens_at), cycle.opens_at, cycle.closes_at))
        hours = shop.reminders.closing_soon_hours
        if hours:
            starts = max(cycle.closes_at - timedelta(hours=hours), cycle.opens_at)
            runs.append(Run(CLOSING_SOON, shop.id, f"{keys.iso(cycle.closes_at)}-{hours}h", starts, cycle.closes_at))
        if exchange.ready_reminder_at:
            at = exchange.ready_reminder_at
            runs.append(Run(READY, shop.id, keys.iso(at), at, at + READY_WINDOW))
    return runs


def next_start(runs: list[Run], done: set[str], now: datetime) -> datetime | None:
    """When a reminder not done is next due (now, if one is due already)."""
    owed = [max(run.starts, now) for run in runs if run.key not in done and now < run.ends]
    return min(owed, default=None)


def schedule_name(cycle_id: str, at: datetime) -> str:
    """Named by its time: Scheduler deletes a one-time schedule once it has invoked its target,
    which may be after the invocation armed the next one; under another name, that one stays.
    A schedule left at a time no longer owed (settings or dates changed) fires and finds nothing."""
    return f"oc-{cycle_id}-remind-{at:%Y%m%dT%H%M%S}"


def arm(cycle: OrderCycle, known: dict[str, Enterprise] | None = None) -> None:
    """After a save of the cycle or of a shop's settings: wake `run` at the next reminder due.
    `known`: shops just saved, as saved (a read a moment later may still find the old settings).
    Errors are logged: the save has happened."""
    try:
        shops = EnterpriseRepository().get_many(cycle.distributor_ids) if cycle.outgoing else {}
        shops |= {i: shop for i, shop in (known or {}).items() if i in cycle.distributor_ids}
        _arm_at(cycle.id, next_start(runs_of(cycle, shops), set(), clock.now()))
    except (ClientError, BotoCoreError):
        logger.exception("reminders of cycle %s not armed", cycle.id)


def _arm_at(cycle_id: str, at: datetime | None) -> None:
    if at is None:
        return
    at = max(at, clock.now() + LEAD).replace(microsecond=0)
    put_schedule(schedule_name(cycle_id, at), at, {"order_cycle_id": cycle_id, "action": REMIND, "due_at": at.isoformat()})


def _guard_time(now: datetime) -> datetime:
    """When to look again if this invocation dies: once its claims are stale, on a whole minute,
    so the invocations of one minute share one such schedule."""
    later = now + timedelta(seconds=CLAIM_SECONDS + 5)
    return later.replace(second=0, microsecond=0) + timedelta(minutes=1)


def is_reminder_schedule(event: dict) -> bool:
    return isinstance(event, dict) and event.get("action") == REMIND


def run(event: dict) -> Counter:
    """The cycle's reminder schedule fired: send what is due, then arm the next wake-up."""
    cycle_id = event.get("order_cycle_id")
    if not isinstance(cycle_id, str) or not cycle_id:
        raise Invalid("not a reminder schedule's input: order_cycle_id missing")
    try:
        cycle = OrderCycleRepository().get(cycle_id)
    except NotFound:
        logger.info("reminders of deleted cycle %s ignored", cycle_id)
        return Counter()
    invocation = _Invocation(cycle)
    if invocation.owes_something():
        _arm_at(cycle.id, _guard_time(invocation.now))  # if this invocation dies, another goes on
    counts = invocation.work()
    _arm_at(cycle.id, invocation.next_wake_up())
    return counts


class _Invocation:
    """One invocation's work on one cycle: the leftovers first, then the due runs page by page."""

    def __init__(self, cycle: OrderCycle):
        self.cycle = cycle
        self.now = clock.now()
        self.claim = uuid4().hex
        self.repository = ReminderRepository()
        self.outbox = OutboxRepository()
        self.shops = EnterpriseRepository().get_many(cycle.distributor_ids) if cycle.outgoing else {}
        self.runs = runs_of(cycle, self.shops)
        self.rate = max(settings().ses_rate, 0.01)
        self.page_size = max(1, min(PAGE, int(self.rate * SEND_BUDGET_SECONDS / 2)))
        self.started = self.next_send = time.monotonic()
        self.counts: Counter = Counter()
        self.ses_errors_in_a_row = 0
        self.pages = 0
        self.released = False
        self.unfinished = False
        self.done: set[str] = set()
        self.leftovers: list[dict] = []
        self.stored: dict[str, dict] = {}
        self._orders: list[Order] | None = None
        self._secret: bytes | None = None

    def owes_something(self) -> bool:
        """Reads what is left undelivered and how far the runs have gone (two Queries)."""
        self.leftovers = self.repository.pending(self.cycle.id, self.now, limit=self.page_size)
        self.stored = self.repository.runs(self.cycle.id)
        self.done = {key for key, item in self.stored.items() if item.get("done")}
        return bool(self.leftovers or self._due())

    def _due(self) -> list[Run]:
        return [run for run in self.runs if run.starts <= self.now < run.ends and run.key not in self.done]

    def work(self) -> Counter:
        self.unfinished = len(self.leftovers) == self.page_size
        for item in self.leftovers:
            claimed = self.outbox.claim(as_outbox_item(item), self.claim, self.now)
            if claimed is not None and not self._stopped():
                self._send(item, claimed.attempts)
        for run in self._due():
            self._fan_out(run, self.stored.get(run.key, {}).get("cursor", ""))
        return self.counts

    def next_wake_up(self) -> datetime | None:
        if self.unfinished and self.ses_errors_in_a_row < STOP_AFTER_SES_ERRORS:
            return self.now
        upcoming = next_start(self.runs, self.done, self.now + LEAD)
        if self.released or self.ses_errors_in_a_row >= STOP_AFTER_SES_ERRORS:
            retry = self.now + RETRY_AFTER
            return min(retry, upcoming) if upcoming and upcoming > self.now + LEAD else retry
        return upcoming

    def _stopped(self) -> bool:
        return self.ses_errors_in_a_row >= STOP_AFTER_SES_ERRORS

    def _out_of_time(self) -> bool:
        """Another page would not be sent within the budget (the first always is: progress)."""
        spent = time.monotonic() - self.started
        return self.pages > 0 and spent + self.page_size / self.rate > SEND_BUDGET_SECONDS

    def _fan_out(self, run: Run, cursor: str) -> None:
        while not self._stopped():
            if self._out_of_time():
                self.unfinished = True
                return
            recipients, next_cursor, finished = self._page(run, cursor)
            items = [reminder_item(self.cycle.id, run.key, run.kind, run.shop_id, run.occurrence, email, name,
                                   language, self.claim, self.now) for email, name, language in recipients]
            if not self.repository.write_page(self.cycle.id, run.key, cursor, next_cursor, finished, items, self.now):
                stored = self.repository.runs(self.cycle.id).get(run.key, {})  # another invocation wrote this page
                if stored.get("done"):
                    self.done.add(run.key)
                    return
                cursor = stored.get("cursor", "")
                continue
            self.pages += 1
            for item in items:
                if self._stopped():
                    break
                self._send(item, 1)
            if finished:
                self.done.add(run.key)
                return
            cursor = next_cursor

    def _page(self, run: Run, cursor: str) -> tuple[list[tuple[str, str, str | None]], str, bool]:
        """The next page of recipients after `cursor`: (address, name, language) triples, the new
        cursor, whether it is the last page. The language is the customer's last order's at this
        shop (for "ready", their order's in this cycle; None: the shop's)."""
        exchange = self.cycle.outgoing_of(run.shop_id)
        if run.kind == READY:
            by_time = sorted(self._orders_at(run.shop_id), key=lambda o: o.created_at)
            buyers = sorted({o.customer.email: (o.customer.email, o.customer.name, o.language) for o in by_time}.values())
            after = [buyer for buyer in buyers if buyer[0] > cursor]
            page, finished = after[:self.page_size], len(after) <= self.page_size
            candidates = page
        else:
            customers = self.repository.customers_after(run.shop_id, cursor, self.page_size)
            finished = len(customers) < self.page_size
            page = [(c.email, c.name, c.language) for c in customers]
            wanted = set(exchange.tags) if exchange else set()
            ordered = {o.customer.email for o in self._orders_at(run.shop_id)} if run.kind == CLOSING_SOON else set()
            candidates = [(c.email, c.name, c.language) for c in customers
                          if (not wanted or wanted & set(c.tags)) and c.email not in ordered]
        next_cursor = page[-1][0] if page else cursor
        blocked = self.repository.blocked(run.shop_id, run.kind, [c[0] for c in candidates]) if candidates else set()
        return [c for c in candidates if c[0] not in blocked], next_cursor, finished

    def _orders_at(self, shop_id: str) -> list[Order]:
        if self._orders is None:
            self._orders = [o for o in OrderRepository().orders_of_cycle(self.cycle.id) if o.state != OrderState.cancelled]
        return [o for o in self._orders if o.distributor_id == shop_id]

    def _send(self, item: dict, attempts: int) -> None:
        """Build, pace, send, record; SES errors leave the item pending, others fail it."""
        outbox_item = as_outbox_item({**item, "attempts": attempts})
        try:
            email = self._email(item)
            if email is None:
                self.outbox.release(outbox_item, self.claim, "nothing to send: the shop or the order is gone", final=True)
                return
            pause = self.next_send - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            self.next_send = max(self.next_send, time.monotonic()) + 1 / self.rate
            message_id = mail.send_email(email)
            self.outbox.mark_sent(outbox_item, self.claim, self.now, message_id)
            self.ses_errors_in_a_row = 0
            self.counts["RemindersSent"] += 1
        except (ClientError, BotoCoreError) as error:
            logger.warning("reminder %s not sent: %s", item["SK"], error)
            self.ses_errors_in_a_row += 1
            self.released = True
            self.counts["ReminderFailures"] += 1
            metrics.email_failed()
            release_failure(self.outbox, outbox_item, self.claim, f"{type(error).__name__}: {error}")
        except Exception as error:  # noqa: BLE001 - one email's fault never holds back the others
            logger.exception("reminder %s cannot be sent", item["SK"])
            self.counts["ReminderFailures"] += 1
            metrics.email_failed()
            release_failure(self.outbox, outbox_item, self.claim, f"{type(error).__name__}: {error}", final=True)

    def _email(self, item: dict) -> mail.OutgoingEmail | None:
        shop = self.shops.get(item["shop_id"])
        if shop is None or self.cycle.outgoing_of(shop.id) is None:
            return None
        orders = []
        if item["reminder"] == READY:
            orders = [o for o in self._orders_at(shop.id) if o.customer.email == item["email"]]
            if not orders:
                return None
        if self._secret is None:
            self._secret = self.repository.unsubscribe_secret()
        link = unsubscribe_link(self._secret, shop.id, item["reminder"], item["email"])
        shop_link = f"{settings().storefront_origin}/#/shops/{shop.id}/cycles/{self.cycle.id}"
        return reminder_email(item["reminder"], self.cycle, shop, item["email"], item["name"], shop_link, link, orders,
                              language=item.get("language"))


# --- Unsubscribing: an unguessable link per shop, kind and address (RFC 8058 one-click)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _signature(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest()[:18])


def unsubscribe_token(secret: bytes, shop_id: str, kind: str, email: str) -> str:
    payload = _b64(f"{shop_id}\n{kind}\n{email}".encode())
    return f"{payload}.{_signature(secret, payload)}"


def unsubscribe_link(secret: bytes, shop_id: str, kind: str, email: str) -> str:
    return f"{settings().shop_api_url}/unsubscribe/{unsubscribe_token(secret, shop_id, kind, email)}"


@dataclass(frozen=True)
class Subscription:
    shop_id: str
    kind: str
    email: str


def _read_token(token: str) -> Subscription:
    unknown = NotFound("This unsubscribe link is not one hubcycle made.", code="unsubscribe_link_unknown")
    payload, _, signature = token.partition(".")
    if not hmac.compare_digest(signature.encode(), _signature(ReminderRepository().unsubscribe_secret(), payload).encode()):
        raise unknown
    try:
        shop_id, kind, email = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode().split("\n")
    except ValueError:
        raise unknown from None
    if kind not in KINDS:
        raise unknown
    return Subscription(shop_id, kind, email)


def unsubscribe_page(token: str) -> str:
    """What a link would unsubscribe, with a button (GET: shown, never acted on, since mail
    scanners follow links)."""
    found = _read_token(token)
    shop = EnterpriseRepository().get(found.shop_id)
    unsubscribed = ReminderRepository().is_unsubscribed(found.shop_id, found.kind, found.email)
    return unsubscribe_page_html(shop.name, found.kind, found.email, unsubscribed, shop.language)


def unsubscribe(token: str, body: bytes) -> dict:
    """RFC 8058's one-click POST: the body says `List-Unsubscribe=One-Click`; no cookie, no token
    header. The address gets no more of this shop's reminders of this kind. Idempotent."""
    if b"List-Unsubscribe=One-Click" not in (body or b""):
        raise Invalid("The body must be List-Unsubscribe=One-Click (RFC 8058).", field="List-Unsubscribe")
    found = _read_token(token)
    ReminderRepository().unsubscribe(found.shop_id, found.kind, found.email, clock.now())
    return {"unsubscribed": True, "shop_id": found.shop_id, "kind": found.kind, "email": found.email}


def suppress(addresses: list[str], reason: str) -> None:
    """A bounce or complaint (SES events): no reminder of any shop goes to these addresses again."""
    repository = ReminderRepository()
    for address in addresses:
        repository.suppress(address.strip().lower(), reason, clock.now())


# --- The console's counts


def counts(caller: Caller, cycle_id: str) -> dict:
    """Per kind, how many reminder emails were sent, are pending, failed: the coordinator's for
    every shop of the cycle, a distributor's for its own."""
    cycle = OrderCycleRepository().get(cycle_id)
    access = OrderCycleAccess.of(cycle, caller.managed_ids, PermissionGraph([]))
    if not access.coordinator and not access.distributor_ids:
        raise Forbidden("Only the coordinator and the cycle's shops see its reminders.")
    totals = {kind: {SENT: 0, PENDING: 0, FAILED: 0} for kind in KINDS}
    for (kind, shop_id), statuses in ReminderRepository().counts(cycle.id).items():
        if kind in totals and (access.coordinator or shop_id in access.distributor_ids):
            for status in (SENT, PENDING, FAILED):
                totals[kind][status] += statuses[status]
    return totals
