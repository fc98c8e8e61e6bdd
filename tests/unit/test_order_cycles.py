"""Order cycle status from the dates alone, date rules, and duplicating (seed 003)."""
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from hubcycle.order_cycles import IncomingExchange, OrderCycle, OrderCycleStatus, OutgoingExchange

OPENS = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
CLOSES = datetime(2026, 11, 9, 18, 0, tzinfo=timezone.utc)
TICK = timedelta(microseconds=1)


def cycle(**fields):
    return OrderCycle(**{"id": "oc-1", "coordinator_id": "hub", "name": "Week 45", "opens_at": OPENS, "closes_at": CLOSES, **fields})


@pytest.mark.parametrize(
    "now, status",
    [
        (OPENS - TICK, OrderCycleStatus.upcoming),
        (OPENS, OrderCycleStatus.open),
        (CLOSES - TICK, OrderCycleStatus.open),
        (CLOSES, OrderCycleStatus.closed),
        (CLOSES + timedelta(days=40), OrderCycleStatus.closed),
    ],
)
def test_status_at_the_boundaries(now, status):
    assert cycle().status(now) == status


@pytest.mark.parametrize("missing", ["opens_at", "closes_at"])
def test_a_missing_date_makes_it_undated(missing):
    assert cycle(**{missing: None}).status(OPENS + timedelta(days=1)) == OrderCycleStatus.undated


def test_status_compares_instants_not_wall_clocks():
    paris_opening = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))  # 08:00 UTC
    oc = cycle(opens_at="2026-11-02T09:00:00+01:00")
    assert oc.opens_at == OPENS
    assert oc.status(paris_opening) == OrderCycleStatus.open
    assert oc.model_dump(mode="json")["opens_at"].startswith("2026-11-02T08:00:00")


@pytest.mark.parametrize("closes_at", [OPENS, OPENS - timedelta(hours=1)])
def test_closing_at_or_before_opening_is_rejected(closes_at):
    with pytest.raises(ValidationError, match="closes_at must be after opens_at"):
        cycle(closes_at=closes_at)


def test_moving_the_close_before_the_opening_is_rejected():
    oc = cycle()
    with pytest.raises(ValidationError):
        oc.closes_at = OPENS - timedelta(days=1)


@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_a_time_without_offset_is_rejected(field):
    with pytest.raises(ValidationError) as error:
        cycle(**{field: "2026-11-05T12:00:00"})
    assert error.value.errors()[0]["loc"] == (field,)


def full_cycle():
    return cycle(
        coordinator_fee_ids=["admin-fee"],
        automatic_notifications=True,
        opened_at=OPENS,
        processed_at=CLOSES,
        version=7,
        incoming=[
            IncomingExchange(
                supplier_id="farm",
                variant_ids=["apples", "pears"],
                receival_instructions="Back door before 9am",
                fee_ids=["farm-transport"],
            )
        ],
        outgoing=[
            OutgoingExchange(
                distributor_id="hub",
                variant_ids=["apples"],
                ready_for="Friday 5pm",
                pickup_instructions="Church hall, side entrance",
                tags=["members"],
                fee_ids=["hub-margin"],
            )
        ],
    )


def test_duplicate_names_the_copy_and_clears_the_dates():
    original = full_cycle()
    copy = original.duplicate("oc-2")
    assert copy.id == "oc-2"
    assert copy.name == "COPY OF Week 45"
    assert (copy.opens_at, copy.closes_at) == (None, None)
    assert copy.status(OPENS) == OrderCycleStatus.undated
    assert (copy.opened_at, copy.processed_at, copy.version) == (None, None, 0)


def test_duplicate_keeps_exchanges_fees_tags_instructions_and_notifications():
    copy = full_cycle().duplicate("oc-2")
    assert copy.coordinator_id == "hub"
    assert copy.coordinator_fee_ids == ["admin-fee"]
    assert copy.automatic_notifications is True
    assert copy.incoming[0].model_dump() == {
        "supplier_id": "farm",
        "variant_ids": ["apples", "pears"],
        "receival_instructions": "Back door before 9am",
        "fee_ids": ["farm-transport"],
    }
    assert copy.outgoing[0].model_dump() == {
        "distributor_id": "hub",
        "variant_ids": ["apples"],
        "ready_for": "Friday 5pm",
        "pickup_instructions": "Church hall, side entrance",
        "tags": ["members"],
        "fee_ids": ["hub-margin"],
        "shipping_method_ids": None,
        "payment_method_ids": None,
    }


def test_editing_the_copy_leaves_the_original_alone():
    original = full_cycle()
    copy = original.duplicate("oc-2")
    copy.incoming[0].variant_ids = ["pears"]
    copy.outgoing[0].tags = ["public"]
    copy.coordinator_fee_ids = []
    assert original.incoming[0].variant_ids == ["apples", "pears"]
    assert original.outgoing[0].tags == ["members"]
    assert original.coordinator_fee_ids == ["admin-fee"]


def test_duplicate_name_stays_within_the_name_limit():
    copy = cycle(name="x" * 120).duplicate("oc-2")
    assert copy.name == "COPY OF " + "x" * 112


def test_a_change_rebased_on_the_schedulers_records_keeps_them_unless_its_dates_move_later():
    opens, closes = datetime(2026, 11, 20, tzinfo=timezone.utc), datetime(2026, 11, 23, tzinfo=timezone.utc)
    read = OrderCycle(id="c", coordinator_id="hub", name="Week", opens_at=opens, closes_at=closes, opened_at=opens)
    fresh = read.model_copy(update={"processed_at": closes, "sales_stopped_at": closes})
    renamed = read.model_copy(update={"name": "Renamed"}).rebased_on(fresh)
    assert (renamed.name, renamed.opened_at, renamed.processed_at, renamed.sales_stopped_at) == ("Renamed", opens, closes, closes)
    moved = read.with_dates(opens, closes + timedelta(days=1)).rebased_on(fresh)
    assert (moved.opened_at, moved.processed_at, moved.sales_stopped_at) == (opens, None, None)
