"""Issue 15 point 1: every order checkout accepts is in the producer emails and the reports.
Shoppers keep ordering across the closing time while the real closing runs: its first write
stops sales (`sales_stopped_at`, which checkout's transaction is conditioned on), then it reads
the orders. Repeated round after round, each reopening the cycle by moving its closing later.
The embedded AWS isolates DynamoDB requests as DynamoDB does (embedded_aws.isolate_dynamodb);
the shoppers' requests and the closing's interleave freely."""
from __future__ import annotations

import json
import re
import threading
from datetime import timedelta

from admin_fixtures import armed, cast, people  # noqa: F401
from chalice.test import Client
from shop_fixtures import DAIRY, EGGS, load_hub, order_body

from hubcycle.local.apps import load_function
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository
from hubcycle.services import scheduling

SHOPPERS = 8
ROUNDS = 12
_EGGS_ROW = re.compile(r"^Eggs \| Half dozen \| (\d+) \|", re.MULTILINE)


def shop_until_closed(app, cycle_id: str, shopper: int, answers: list, started: threading.Barrier) -> None:
    """Order one box of eggs after another until the shop says the cycle has closed."""
    started.wait()
    with Client(app) as client:
        for attempt in range(200):
            response = client.http.post(
                f"/shops/hub/cycles/{cycle_id}/orders",
                body=json.dumps(order_body({EGGS: 1}, email=f"shopper{shopper}@example.org")),
                headers={"Content-Type": "application/json", "Idempotency-Key": f"{shopper}-{attempt}-{id(answers)}"},
            )
            answers.append((response.status_code, json.loads(response.body)))
            if response.status_code != 201:
                return


def eggs_in_last_email_to_dairy(mailbox) -> tuple[int, int]:
    """How many producer emails the dairy got, and the eggs the last one counts."""
    emails = [m for m in mailbox() if f"{DAIRY}@example.org" in m["to"]]
    return len(emails), int(_EGGS_ROW.search(emails[-1]["text"]).group(1))


def test_orders_placed_across_the_closing_are_all_in_the_producer_emails(shop_app, clock, mailbox):
    ids = load_hub(clock.now())
    cycles = OrderCycleRepository()
    app = load_function("shop").app
    accepted = 0
    for number in range(ROUNDS):
        cycle = cycles.get(ids.cycle)
        closes_at = clock.now() + timedelta(hours=1)
        reopened = cycle.with_dates(cycle.opens_at, closes_at).model_copy(update={"automatic_notifications": True})
        cycles.save(reopened, cycle)
        clock.freeze(closes_at - timedelta(seconds=1))
        answers: list[tuple[int, dict]] = []
        started = threading.Barrier(SHOPPERS + 1)
        shoppers = [threading.Thread(target=shop_until_closed, args=(app, ids.cycle, n, answers, started))
                    for n in range(SHOPPERS)]
        for shopper in shoppers:
            shopper.start()
        started.wait()
        threading.Event().wait(0.05 + 0.01 * (number % 5))  # some orders in, others on their way
        clock.freeze(closes_at)
        counts = scheduling.catch_up(cycles.get(ids.cycle))
        for shopper in shoppers:
            shopper.join(timeout=30)

        assert counts["CyclesClosed"] == 1
        accepted += sum(1 for status, _ in answers if status == 201)
        refused = [body["error"]["code"] for status, body in answers if status != 201]
        assert refused == ["order_cycle_closed"] * SHOPPERS
        orders = OrderRepository().orders_of_cycle(ids.cycle)
        assert len(orders) == accepted, "the orders stored are those checkout answered 201"
        assert eggs_in_last_email_to_dairy(mailbox) == (number + 1, accepted), f"round {number}"
        clock.advance(timedelta(hours=1))


# --- Issue 12: the scheduler's records never make a person's save fail


def scheduler_acts_between_read_and_save(monkeypatch, act) -> None:
    """The scheduler (or another person) writes the cycle just after the manager's request read it."""
    save = OrderCycleRepository.save

    def save_after(self, changed, previous):
        monkeypatch.setattr(OrderCycleRepository, "save", save)
        act(previous.id)
        return save(self, changed, previous)

    monkeypatch.setattr(OrderCycleRepository, "save", save_after)


def test_a_managers_change_over_the_schedulers_opening_and_closing_is_saved(cast, clock, monkeypatch):
    cycles = OrderCycleRepository()
    version = cycles.get(cast.cycle).version
    scheduler_acts_between_read_and_save(monkeypatch, lambda cycle_id: scheduling.catch_up(cycles.get(cycle_id)))
    assert cast.hub.patch(cast.path, {"name": "Week 48 (renamed)"}).ok()["name"] == "Week 48 (renamed)"
    opened = cycles.get(cast.cycle)
    assert (opened.name, opened.opened_at, opened.version) == ("Week 48 (renamed)", clock.now(), version + 1)

    clock.freeze(opened.closes_at)
    scheduler_acts_between_read_and_save(monkeypatch, lambda cycle_id: scheduling.catch_up(cycles.get(cycle_id)))
    later = (opened.closes_at + timedelta(days=1)).isoformat()
    assert cast.hub.patch(cast.path, {"closes_at": later}).ok()["status"] == "open"
    reopened = cycles.get(cast.cycle)
    assert (reopened.processed_at, reopened.sales_stopped_at, reopened.opened_at) == (None, None, opened.opened_at)


def test_another_persons_save_meanwhile_is_still_a_conflict(cast, monkeypatch):
    cycles = OrderCycleRepository()

    def someone_renames(cycle_id):
        cycle = cycles.get(cycle_id)
        cycles.save(cycle.model_copy(update={"name": "Theirs"}), cycle)

    scheduler_acts_between_read_and_save(monkeypatch, someone_renames)
    assert cast.hub.patch(cast.path, {"name": "Mine"}).error(409)["code"] == "order_cycle_changed"
    assert cycles.get(cast.cycle).name == "Theirs"
