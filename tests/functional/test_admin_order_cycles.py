"""Order cycles through the admin API (issue 3, seed 003): creating, sourcing, selling, dates and
their re-arming, listing, duplicating, deleting, notifying producers, and what the shop then
reads in the cycle's partition."""
from datetime import datetime, timedelta, timezone

import pytest

from admin_fixtures import ADD, armed, cast, notified, people, place_order  # noqa: F401
from hubcycle.errors import Conflict
from hubcycle.local.apps import LambdaContext, load_function
from hubcycle.repository.base import TransactionCancelled
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.order_cycles import OrderCycleRepository

ANN, BOB = "ann@example.org", "bob@example.org"


def shop_copies(cycle_id: str):
    _, offers, fees, _ = OrderCycleRepository().shop_partition(cycle_id)
    return offers, fees


def armed_ids(armed) -> list[str]:
    return [cycle.id for action, cycle in armed if action == "arm"]


# --- Creating


def test_a_hub_creates_a_cycle_and_it_is_armed(people, clock, armed):
    ann = people(ANN)
    hub = ann.enterprise("Green Hub")
    fee = ann.fee(hub, "Admin")
    created = ann.post("/order-cycles", {
        "coordinator_id": hub, "name": "Week 48", "opens_at": "2026-11-24T08:00:00+01:00",
        "closes_at": "2026-11-30T18:00:00+01:00", "coordinator_fee_ids": [fee], "automatic_notifications": True,
    }).ok(201)
    assert created == {
        "id": created["id"], "name": "Week 48", "coordinator_id": hub, "opens_at": "2026-11-24T07:00:00+00:00",
        "closes_at": "2026-11-30T17:00:00+00:00", "status": "upcoming", "automatic_notifications": True,
        "coordinator_fee_ids": [fee], "incoming": [], "outgoing": [],
    }
    assert armed_ids(armed) == [created["id"]]
    assert armed[0][1].opens_at == datetime(2026, 11, 24, 7, tzinfo=timezone.utc)
    assert list(shop_copies(created["id"])[1]) == [fee]
    assert ann.get(f"/order-cycles/{created['id']}").ok() == {**created, "notifications": []}


def test_a_cycle_without_dates_is_undated(people):
    ann = people(ANN)
    hub = ann.enterprise("Green Hub")
    assert ann.post("/order-cycles", {"coordinator_id": hub, "name": "Someday"}).ok(201)["status"] == "undated"


def test_a_profile_cannot_coordinate(people):
    ann = people(ANN)
    farm = ann.enterprise("Farm", "profile", is_producer=True)
    error = ann.post("/order-cycles", {"coordinator_id": farm, "name": "Mine"}).error(422)
    assert (error["field"], "profiles cannot coordinate" in error["message"]) == ("coordinator_id", True)
    assert ann.get("/order-cycles").ok() == []


@pytest.mark.parametrize("body, field", [
    ({"opens_at": "2026-11-24T08:00:00"}, "opens_at"),
    ({"opens_at": "2026-11-30T08:00:00Z", "closes_at": "2026-11-24T08:00:00Z"}, None),
    ({"coordinator_fee_ids": ["no-such-fee"]}, "coordinator_fee_ids"),
    ({"coordinator_id": "nope"}, None),
])
def test_a_cycle_with_invalid_values_is_refused_and_nothing_is_written(people, body, field):
    ann = people(ANN)
    hub = ann.enterprise("Green Hub")
    answer = ann.post("/order-cycles", {"coordinator_id": hub, "name": "Week 48", **body})
    assert answer.status in (404, 422)
    assert answer.json["error"]["field"] == field
    assert ann.get("/order-cycles").ok() == []


def test_coordinator_fees_must_be_the_coordinators_own(people):
    ann, bob = people(ANN), people(BOB)
    hub = ann.enterprise("Green Hub")
    their_fee = bob.fee(bob.enterprise("Other Hub"), "Theirs")
    error = ann.post("/order-cycles", {"coordinator_id": hub, "name": "W", "coordinator_fee_ids": [their_fee]}).error(422)
    assert their_fee in error["message"]


def test_a_producer_shops_cycle_has_itself_as_only_supplier_and_distributor(people):
    ann, bob = people(ANN), people(BOB)
    shop = ann.enterprise("Farm Shop", "shop", is_producer=True)
    ann.methods(shop)
    (eggs,) = ann.product(shop, "Eggs", "Half dozen")
    neighbour = bob.enterprise("Neighbour", "profile", is_producer=True)
    bob.grant(neighbour, shop, ADD)
    cycle = ann.post("/order-cycles", {"coordinator_id": shop, "name": "This week"}).ok(201)["id"]
    ann.put(f"/order-cycles/{cycle}/incoming/{shop}", {"variant_ids": [eggs]}).ok()
    ann.put(f"/order-cycles/{cycle}/outgoing/{shop}", {"variant_ids": [eggs], "ready_for": "Friday"}).ok()
    error = ann.put(f"/order-cycles/{cycle}/incoming/{neighbour}", {"variant_ids": []}).error(422)
    assert (error["field"], "only supplier" in error["message"]) == ("supplier_id", True)


# --- Sourcing and selling: who may take part (seed 003)


def test_only_suppliers_that_granted_the_coordinator_can_supply(cast, people):
    stranger = people("stranger@example.org")
    farm2 = stranger.enterprise("Stranger Farm", "profile", is_producer=True)
    (kale,) = stranger.product(farm2, "Kale", "Bunch")
    error = cast.hub.put(f"{cast.path}/incoming/{farm2}", {"variant_ids": [kale]}).error(422)
    assert error["field"] == "supplier_id"
    assert error["message"] == "Stranger Farm has not granted Green Hub permission to add it to order cycles."
    not_producer = stranger.enterprise("Reseller", "hub")
    stranger.grant(not_producer, cast["hub"], ADD)
    assert "is not a producer" in cast.hub.put(f"{cast.path}/incoming/{not_producer}", {}).error(422)["message"]
    assert cast.hub.put(f"{cast.path}/incoming/nope", {}).error(404)["code"] == "enterprise_not_found"
    assert cast.hub.get(cast.path).ok()["incoming"][-1]["supplier_id"] == cast["dairy"]


def test_incoming_variants_must_be_the_suppliers_own(cast):
    error = cast.hub.put(f"{cast.path}/incoming/{cast['farm']}", {"variant_ids": [cast["apples"], cast["bread"]]}).error(422)
    assert (error["field"], cast["bread"] in error["message"]) == ("variant_ids", True)
    assert cast.hub.put(f"{cast.path}/incoming/{cast['farm']}", {"variant_ids": ["ghost"]}).error(422)["field"] == "variant_ids"


def test_only_hubs_with_methods_that_granted_the_coordinator_can_distribute(cast, people):
    other = people("other@example.org")
    shopless = other.enterprise("Shopless Hub", "hub")
    other.grant(shopless, cast["hub"], ADD)
    error = cast.hub.put(f"{cast.path}/outgoing/{shopless}", {"ready_for": "Friday"}).error(422)
    assert error["field"] == "distributor_id"
    assert error["message"] == "Shopless Hub has no shipping method and has no payment method."
    other.post(f"/enterprises/{shopless}/shipping-methods", {"name": "Pickup"}).ok(201)
    assert cast.hub.put(f"{cast.path}/outgoing/{shopless}", {"ready_for": "Friday"}).error(422)["message"] == (
        "Shopless Hub has no payment method.")
    ungranted = other.enterprise("Ungranted Hub", "hub")
    other.methods(ungranted)
    assert "has not granted Green Hub" in cast.hub.put(f"{cast.path}/outgoing/{ungranted}", {"ready_for": "F"}).error(422)["message"]
    a_shop = other.enterprise("A Shop", "shop", is_producer=True)
    other.methods(a_shop)
    other.grant(a_shop, cast["hub"], ADD)
    assert "is not a hub" in cast.hub.put(f"{cast.path}/outgoing/{a_shop}", {"ready_for": "F"}).error(422)["message"]
    other.post(f"/enterprises/{shopless}/payment-methods", {"name": "Cash"}).ok(201)
    sold = cast.hub.put(f"{cast.path}/outgoing/{shopless}", {"ready_for": "Friday", "variant_ids": [cast["cheese"]]})
    assert sold.status == 422  # the dairy did not grant it add_to_order_cycle
    cast.hub.put(f"{cast.path}/outgoing/{shopless}", {"ready_for": "Friday"}).ok()


def test_a_new_distributor_needs_ready_for(cast):
    cast.hub.delete(f"{cast.path}/outgoing/{cast['market']}").ok()
    assert cast.hub.put(f"{cast.path}/outgoing/{cast['market']}", {"variant_ids": []}).error(422)["field"] == "ready_for"


def test_outgoing_variants_must_be_among_the_incoming_ones(cast):
    error = cast.hub.put(f"{cast.path}/outgoing/{cast['hub']}", {"variant_ids": [cast["plums"]]}).error(422)
    assert (error["field"], cast["plums"] in error["message"]) == ("variant_ids", True)


def test_removing_a_supplier_takes_its_products_out_of_the_shops(cast):
    view = cast.hub.delete(f"{cast.path}/incoming/{cast['farm']}").ok()
    assert [e["supplier_id"] for e in view["incoming"]] == [cast["bakery"], cast["dairy"]]
    assert {e["distributor_id"]: e["variant_ids"] for e in view["outgoing"]} == {
        cast["hub"]: [cast["bread"], cast["cheese"]], cast["market"]: [cast["bread"]]}
    assert cast["apples"] not in shop_copies(cast.cycle)[0]
    assert cast.hub.delete(f"{cast.path}/incoming/{cast['farm']}").error(404)["code"] == "exchange_not_found"
    assert cast.market.delete(f"{cast.path}/outgoing/{cast['market']}").status == 403


# --- What the shop reads follows every change


def test_offers_and_fee_copies_follow_the_exchanges(cast):
    offers, fees = shop_copies(cast.cycle)
    assert set(offers) == {cast[v] for v in ("apples", "pears", "bread", "cake", "cheese")}
    assert offers[cast["apples"]].supplier_name == "Farm"
    assert set(offers[cast["apples"]].offered_in) == {cast.cycle}
    assert set(fees) == {cast[f] for f in ("hub-admin", "farm-transport", "hub-levy", "bakery-pack", "market-margin")}

    cast.hub.put(f"{cast.path}/incoming/{cast['farm']}", {"variant_ids": [cast["plums"]], "fee_ids": []}).ok()
    offers, fees = shop_copies(cast.cycle)
    assert set(offers) == {cast[v] for v in ("plums", "bread", "cake", "cheese")}
    assert cast["farm-transport"] not in fees
    assert cast["apples"] not in cast.hub.get(cast.path).ok()["outgoing"][0]["variant_ids"]


# --- The coordinator's own decisions


def test_renaming_and_moving_dates(cast, armed):
    armed.clear()
    changed = cast.hub.patch(cast.path, {"name": "Week 48 (moved)", "closes_at": "2026-12-01T18:00:00+01:00"}).ok()
    assert (changed["name"], changed["closes_at"], changed["status"]) == ("Week 48 (moved)", "2026-12-01T17:00:00+00:00", "open")
    assert armed_ids(armed) == [cast.cycle]
    error = cast.hub.patch(cast.path, {"closes_at": "2026-11-01T00:00:00+00:00"}).error(422)
    assert "closes_at must be after opens_at" in error["message"]
    assert cast.hub.patch(cast.path, {"opens_at": "2026-11-22 09:00"}).error(422)["field"] == "opens_at"
    assert cast.hub.patch(cast.path, {"opens_at": None}).ok()["status"] == "undated"


def test_the_coordinator_cannot_be_changed(cast):
    error = cast.hub.patch(cast.path, {"coordinator_id": cast["market"]}).error(422)
    assert error == {"code": "invalid", "field": "coordinator_id",
                     "message": "An order cycle's coordinator cannot be changed once it is created."}
    assert cast.hub.patch(cast.path, {"coordinator_id": cast["hub"], "name": "Same coordinator"}).ok()["coordinator_id"] == cast["hub"]
    assert cast.hub.patch(cast.path, {"status": "closed"}).error(422)["field"] == "status"


def test_moving_closes_at_later_rearms_the_closing(cast, clock, armed):
    repository = OrderCycleRepository()
    clock.advance(timedelta(days=7))
    cycle = repository.get(cast.cycle)
    processed = repository.save(cycle.model_copy(update={"processed_at": clock.now(), "opened_at": cycle.opens_at}), cycle)
    armed.clear()

    earlier = (processed.closes_at - timedelta(hours=1)).isoformat()
    cast.hub.patch(cast.path, {"closes_at": earlier}).ok()
    assert repository.get(cast.cycle).processed_at == clock.now()

    later = (clock.now() + timedelta(days=2)).isoformat()
    assert cast.hub.patch(cast.path, {"closes_at": later}).ok()["status"] == "open"
    stored = repository.get(cast.cycle)
    assert (stored.processed_at, stored.opened_at) == (None, cycle.opens_at)
    assert armed[-1] == ("arm", stored)


def test_moving_opens_at_later_rearms_the_opening(cast, clock, armed):
    repository = OrderCycleRepository()
    cycle = repository.get(cast.cycle)
    repository.save(cycle.model_copy(update={"opened_at": cycle.opens_at}), cycle)
    cast.hub.patch(cast.path, {"opens_at": (clock.now() + timedelta(hours=2)).isoformat()}).ok()
    stored = repository.get(cast.cycle)
    assert (stored.opened_at, stored.status(clock.now()).value) == (None, "upcoming")
    assert armed[-1] == ("arm", stored)


def test_duplicating_copies_everything_but_the_dates(cast, armed):
    original = cast.hub.get(cast.path).ok()
    original.pop("notifications")  # the read view's record of emails sent; a copy has none to show
    copy = cast.hub.post(f"{cast.path}/duplicate").ok(201)
    assert copy["id"] != original["id"]
    assert copy == {**original, "id": copy["id"], "name": "COPY OF Week 48", "opens_at": None, "closes_at": None,
                    "status": "undated"}
    assert armed[-1][1].id == copy["id"]
    offers, fees = shop_copies(copy["id"])
    assert set(offers) == set(shop_copies(cast.cycle)[0])
    assert set(offers[cast["apples"]].offered_in) == {cast.cycle, copy["id"]}
    assert set(fees) == set(shop_copies(cast.cycle)[1])


def test_deleting_a_cycle_without_orders(cast, armed):
    assert cast.market.delete(cast.path).status == 403
    assert cast.hub.delete(cast.path).status == 204
    assert armed[-1] == ("disarm", cast.cycle)
    assert cast.hub.get(cast.path).error(404)["code"] == "order_cycle_not_found"
    assert cast.hub.get("/order-cycles").ok() == []
    assert all(c["id"] != cast.cycle for c in cast.farm.get("/order-cycles").ok())


def test_a_cycle_with_orders_cannot_be_deleted(cast, clock, armed):
    place_order(cast.cycle, cast["hub"], "1", ("chloe@example.org", "Chloé"),
                [(cast["apples"], cast["farm"], 1, "2.50")], clock.now())
    error = cast.hub.delete(cast.path).error(409)
    assert error["code"] == "order_cycle_in_use"
    assert cast.hub.get(cast.path).ok()["name"] == "Week 48"
    assert ("disarm", cast.cycle) not in armed
    assert cast.hub.patch(cast.path, {"name": "Still editable"}).ok()["name"] == "Still editable"


def test_notify_producers_now(cast, notified):
    assert cast.hub.post(f"{cast.path}/notify-producers").ok() == {"emails_sent": 2}
    assert notified == [(cast.cycle, False)]
    assert cast.farm.post(f"{cast.path}/notify-producers").status == 403
    assert cast.market.post(f"{cast.path}/notify-producers").status == 403
    assert notified == [(cast.cycle, False)]


# --- Listing


def cycle_at(person, coordinator: str, name: str, opens_at: datetime, closes_at: datetime) -> str:
    return person.post("/order-cycles", {"coordinator_id": coordinator, "name": name, "opens_at": opens_at.isoformat(),
                                          "closes_at": closes_at.isoformat()}).ok(201)["id"]


def test_listing_shows_status_and_roles_and_hides_cycles_closed_long_ago(cast, clock):
    now = clock.now()
    hub = cast["hub"]
    upcoming = cycle_at(cast.hub, hub, "Next week", now + timedelta(days=6), now + timedelta(days=13))
    closed = cycle_at(cast.hub, hub, "Last week", now - timedelta(days=8), now - timedelta(days=1))
    old = cycle_at(cast.hub, hub, "Two months ago", now - timedelta(days=67), now - timedelta(days=60))
    ancient = cycle_at(cast.hub, hub, "Last year", now - timedelta(days=367), now - timedelta(days=360))
    undated = cast.hub.post("/order-cycles", {"coordinator_id": hub, "name": "Someday"}).ok(201)["id"]

    listed = cast.hub.get("/order-cycles").ok()
    assert [(c["id"], c["status"]) for c in listed] == [
        (undated, "undated"), (upcoming, "upcoming"), (cast.cycle, "open"), (closed, "closed")]
    assert listed[2] == {"id": cast.cycle, "name": "Week 48", "coordinator_id": hub,
                         "opens_at": "2026-11-22T09:00:00+00:00", "closes_at": "2026-11-29T09:00:00+00:00",
                         "status": "open", "automatic_notifications": True,
                         "roles": {hub: ["coordinator", "distributor"]},
                         "producers_notified": {"supplier_ids": [], "failed_supplier_ids": [], "notified_at": None}}
    assert [c["id"] for c in cast.hub.get("/order-cycles?closed_within_days=90").ok()][-1] == old
    assert ancient not in [c["id"] for c in cast.hub.get("/order-cycles?closed_within_days=90").ok()]
    assert cast.hub.get("/order-cycles?closed_within_days=60").error(422)["field"] == "closed_within_days"
    assert cast.hub.get("/order-cycles?colour=red").error(422)["field"] == "colour"


def test_participants_list_the_cycles_they_take_part_in(cast, people):
    assert [(c["id"], c["roles"]) for c in cast.farm.get("/order-cycles").ok()] == [(cast.cycle, {cast["farm"]: ["supplier"]})]
    assert [(c["id"], c["roles"]) for c in cast.market.get("/order-cycles").ok()] == [
        (cast.cycle, {cast["market"]: ["distributor"]})]
    assert people("nobody@example.org").get("/order-cycles").ok() == []


def test_listing_for_one_enterprise(cast):
    cast.market.post("/order-cycles", {"coordinator_id": cast["market"], "name": "Market's own"}).ok(201)
    assert [c["name"] for c in cast.market.get(f"/order-cycles?enterprise_id={cast['market']}").ok()] == ["Market's own", "Week 48"]
    assert cast.market.get(f"/order-cycles?enterprise_id={cast['hub']}").error(403)["field"] == "enterprise_id"


# --- Withdrawing a permission


def test_withdrawing_add_to_order_cycle_takes_the_supplier_out_of_open_cycles(cast, clock):
    now = clock.now()
    closed = cycle_at(cast.hub, cast["hub"], "Last week", now - timedelta(days=8), now - timedelta(days=6))
    cast.hub.put(f"/order-cycles/{closed}/incoming/{cast['farm']}", {"variant_ids": [cast["apples"]]}).ok()

    cast.farm.grant(cast["farm"], cast["hub"], "manage_products")
    view = cast.hub.get(cast.path).ok()
    assert cast["farm"] not in [e["supplier_id"] for e in view["incoming"]]
    assert {e["distributor_id"]: e["variant_ids"] for e in view["outgoing"]} == {
        cast["hub"]: [cast["bread"], cast["cheese"]], cast["market"]: [cast["bread"]]}
    offers, fees = shop_copies(cast.cycle)
    assert not {cast["apples"], cast["pears"]} & set(offers)
    assert cast["farm-transport"] not in fees
    assert cast["farm"] in [e["supplier_id"] for e in cast.hub.get(f"/order-cycles/{closed}").ok()["incoming"]]
    assert cast.farm.get("/order-cycles").ok()[0]["id"] == closed
    assert cast.farm.get(cast.path).status == 403


def test_a_withdrawal_that_meets_a_concurrent_cycle_save_changes_nothing_and_can_be_sent_again(cast, monkeypatch):
    save = OrderCycleRepository.save

    def someone_saved_first(self, changed, previous):
        raise Conflict("the order cycle was changed meanwhile; reload it", code="order_cycle_changed")

    monkeypatch.setattr(OrderCycleRepository, "save", someone_saved_first)
    path = f"/enterprises/{cast['farm']}/permissions/{cast['hub']}"
    assert cast.farm.put(path, {"abilities": ["manage_products"]}).error(409)["code"] == "order_cycle_changed"
    assert cast.farm.get(path.rsplit("/", 1)[0]).ok()["granted"][0]["abilities"] == ["add_to_order_cycle"]
    assert cast["farm"] in [e["supplier_id"] for e in cast.hub.get(cast.path).ok()["incoming"]]

    monkeypatch.setattr(OrderCycleRepository, "save", save)
    cast.farm.put(path, {"abilities": ["manage_products"]}).ok()
    assert cast["farm"] not in [e["supplier_id"] for e in cast.hub.get(cast.path).ok()["incoming"]]


def test_a_stock_change_between_read_and_write_is_retried(cast, monkeypatch):
    """Offers are written on condition that the stock is still the one read; a checkout taking
    plums in between cancels the write once, and the change goes through with the new stock."""
    catalogue = CatalogueRepository()
    real = CatalogueRepository.get_variants_with_offers
    reads = []

    calls = []

    def read_then_a_checkout(self, variant_ids):
        variants = real(self, variant_ids)
        calls.append(variant_ids)
        if len(calls) == 1:  # the check that plums are the farm's, not the copying
            return variants
        reads.append(variants[cast["plums"]][0].on_hand)
        if len(reads) == 1:
            plums, offered_in = catalogue.get_variant(cast["plums"])
            catalogue.save_variant(plums.model_copy(update={"on_hand": plums.on_hand - 3}), plums, offered_in)
        return variants

    monkeypatch.setattr(CatalogueRepository, "get_variants_with_offers", read_then_a_checkout)
    cast.hub.put(f"{cast.path}/incoming/{cast['farm']}", {"variant_ids": [cast["apples"], cast["plums"]]}).ok()
    assert reads == [20, 17]
    assert shop_copies(cast.cycle)[0][cast["plums"]].on_hand == 17


def test_notify_producers_sends_the_schedulers_emails(cast, clock, mailbox):
    """Not stubbed: the route calls the same code as the automatic notification at closing."""
    place_order(cast.cycle, cast["hub"], "1", ("chloe@example.org", "Chloé"),
                [(cast["apples"], cast["farm"], 2, "2.50"), (cast["bread"], cast["bakery"], 1, "3.00")], clock.now())
    assert cast.hub.post(f"{cast.path}/notify-producers").ok() == {"emails_sent": 2}
    assert sorted(to for mail in mailbox() for to in mail["to"]) == ["bakery@example.org", "farm@example.org"]


def test_the_cycle_view_shows_notifications_sent_and_bounced(cast, clock, mailbox):
    """A bounce reported by SES (through EventBridge to the scheduler) shows in the cycle's view."""
    place_order(cast.cycle, cast["hub"], "1", ("chloe@example.org", "Chloé"),
                [(cast["apples"], cast["farm"], 2, "2.50"), (cast["bread"], cast["bakery"], 1, "3.00")], clock.now())
    cast.hub.post(f"{cast.path}/notify-producers").ok()
    sent = {n["supplier_id"]: n["status"] for n in cast.hub.get(cast.path).ok()["notifications"]}
    assert sent == {cast["farm"]: "sent", cast["bakery"]: "sent"}

    farm_mail = next(m for m in mailbox() if m["to"] == ["farm@example.org"])
    bounce = {"version": "0", "id": "e1", "detail-type": "Email Bounced", "source": "aws.ses",
              "account": "123456789012", "time": "2026-11-23T09:05:00Z", "region": "eu-west-1", "resources": [],
              "detail": {"eventType": "Bounce", "mail": {"messageId": farm_mail["id"]},
                         "bounce": {"bounceType": "Permanent"}}}
    load_function("scheduler").on_ses_event(bounce, LambdaContext("hubcycle-scheduler"))

    after = {n["supplier_id"]: (n["status"], n["reason"]) for n in cast.hub.get(cast.path).ok()["notifications"]}
    assert after[cast["farm"]] == ("failed", "Bounce: Permanent")
    assert after[cast["bakery"]][0] == "sent"
    assert [n["supplier_id"] for n in cast.farm.get(cast.path).ok()["notifications"]] == [cast["farm"]]
    assert "notifications" not in cast.market.get(cast.path).ok()


def test_a_change_whose_copies_could_not_be_written_is_repaired_by_sending_it_again(cast, monkeypatch):
    """The cycle is saved before its shop copies; if copying keeps meeting stock changes the
    manager is told to send the change again, and doing so completes the copies."""
    real = OrderCycleRepository.sync_offers
    busy = iter([True, True])

    def stock_keeps_changing(self, *args):
        if next(busy, False):
            raise TransactionCancelled(["ConditionalCheckFailed"])
        return real(self, *args)

    monkeypatch.setattr(OrderCycleRepository, "sync_offers", stock_keeps_changing)
    change = {"variant_ids": [cast["apples"], cast["plums"]], "fee_ids": [cast["farm-extra"]]}
    assert cast.hub.put(f"{cast.path}/incoming/{cast['farm']}", change).error(409)["code"] == "stock_changed"
    assert cast["farm-extra"] in shop_copies(cast.cycle)[1]  # fee copies come first, whatever happens next

    cast.hub.put(f"{cast.path}/incoming/{cast['farm']}", change).ok()
    offers, fees = shop_copies(cast.cycle)
    assert cast["plums"] in offers and cast["farm-extra"] in fees


def test_a_copy_respects_permissions_withdrawn_since_the_original(cast, clock):
    """The farm no longer lets the market sell its apples, then no longer supplies the hub at all
    once Week 48 has closed: next week's copy has neither (seed 004), the bakery's bread stays."""
    cast.farm.grant(cast["farm"], cast["market"])
    cycles = OrderCycleRepository()
    week = cycles.get(cast.cycle)
    cycles.save(week.with_dates(clock.now() - timedelta(days=7), clock.now() - timedelta(days=1)), previous=week)
    cast.farm.grant(cast["farm"], cast["hub"])
    assert cast["farm"] in [e["supplier_id"] for e in cast.hub.get(cast.path).ok()["incoming"]]

    copy = cast.hub.post(f"{cast.path}/duplicate").ok(201)

    assert cast["farm"] not in [e["supplier_id"] for e in copy["incoming"]]
    market = next(e for e in copy["outgoing"] if e["distributor_id"] == cast["market"])
    assert market["variant_ids"] == [cast["bread"]]
    assert all(cast["apples"] not in e["variant_ids"] for e in copy["outgoing"])
