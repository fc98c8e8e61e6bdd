"""GET /order-cycles/{id}/editor, the console editor's one read, as each role of seed 004 (the
cast of admin_fixtures): what each sees, what it is told it may change, and that what it is told
matches what the PUT routes accept."""
from datetime import timedelta

from admin_fixtures import armed, cast, notified, people, place_order  # noqa: F401
from hubcycle.local.apps import LambdaContext, load_function


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in rows}


def test_the_coordinator_gets_candidates_catalogues_reasons_and_every_right(cast):
    refused = cast.hub.enterprise("Shut Shop", "hub")
    cast.hub.grant(cast["hub"], refused, "add_to_order_cycle")  # connected, but granted nothing back
    editor = cast.hub.get(f"{cast.path}/editor").ok()
    assert editor["roles"]["coordinator"] is True
    assert editor["order_cycle"]["id"] == cast.cycle and editor["order_cycle"]["status"] == "open"
    assert editor["timezone"] == "UTC"
    suppliers = by_id(editor["suppliers"])
    assert [s["id"] for s in editor["suppliers"]][:3] == [cast["farm"], cast["bakery"], cast["dairy"]]
    farm = suppliers[cast["farm"]]
    assert farm["in_cycle"] and farm["refusal"] is None and farm["refusal_reasons"] == []
    products = cast.hub.get(f"{cast.path}/editor?supplier_id={cast['farm']}").ok()
    assert {v["id"] for v in products["variants"]} == {cast["apples"], cast["pears"], cast["plums"]}
    assert {f["id"] for f in products["fees"]} == {cast["farm-transport"], cast["farm-extra"]}
    assert farm["rights"] == {"fields": ["variant_ids", "receival_instructions", "fee_ids"],
                              "fee_owner_ids": [cast["hub"], cast["farm"]]}
    distributors = by_id(editor["distributors"])
    market = distributors[cast["market"]]
    assert sorted(market["rights"]["product_supplier_ids"]) == sorted([cast["farm"], cast["bakery"]])
    assert len(market["shipping_methods"]) == 1 and len(market["payment_methods"]) == 1
    shut = distributors[refused]
    assert not shut["in_cycle"]
    assert "has not granted Green Hub permission" in shut["refusal"] and "has no shipping method" in shut["refusal"]
    assert shut["refusal_reasons"] == [  # the same reasons by code, for screens in the reader's language
        {"code": "not_granted", "ability": "add_to_order_cycle", "grantee": "Green Hub"},
        {"code": "no_shipping_method"}, {"code": "no_payment_method"}]
    fee_ids = {f["id"] for f in editor["fees"]}
    assert {cast["hub-admin"], cast["hub-levy"], cast["farm-transport"], cast["market-margin"], cast["bakery-pack"]} <= fee_ids


def test_a_supplier_gets_its_own_catalogue_and_rights_and_nothing_of_the_others(cast):
    editor = cast.farm.get(f"{cast.path}/editor").ok()
    assert editor["roles"] == {"coordinator": False, "supplier_ids": [cast["farm"]], "distributor_ids": []}
    assert [s["id"] for s in editor["suppliers"]] == [cast["farm"]]
    assert editor["suppliers"][0]["rights"]["fee_owner_ids"] == [cast["farm"]]
    products = cast.farm.get(f"{cast.path}/editor?supplier_id={cast['farm']}").ok()
    assert {v["id"] for v in products["variants"]} == {cast["apples"], cast["pears"], cast["plums"]}
    assert {f["id"] for f in products["fees"]} == {cast["farm-transport"], cast["farm-extra"]}
    assert cast.farm.get(f"{cast.path}/editor?supplier_id={cast['bakery']}").error(403)
    distributors = by_id(editor["distributors"])
    assert distributors[cast["market"]]["rights"] == {"fields": ["variant_ids"], "fee_owner_ids": [],
                                                      "product_supplier_ids": [cast["farm"]]}
    assert distributors[cast["hub"]]["rights"]["fields"] == []
    text = str(editor)
    for never in ("bread", "cake", "cheese", "bakery-pack", "market-margin", "hub-admin"):
        assert cast[never] not in text
    # What it is told it may change, it may: its products in the market's shop.
    cast.farm.put(f"{cast.path}/outgoing/{cast['market']}", {"variant_ids": []}).ok()
    assert cast.farm.put(f"{cast.path}/outgoing/{cast['hub']}", {"variant_ids": []}).error(403)


def test_a_distributor_gets_its_exchange_the_granted_products_and_its_methods(cast):
    editor = cast.market.get(f"{cast.path}/editor").ok()
    assert editor["roles"]["distributor_ids"] == [cast["market"]]
    assert [d["id"] for d in editor["distributors"]] == [cast["market"]]
    market = editor["distributors"][0]
    assert market["rights"]["fee_owner_ids"] == [cast["market"]]
    assert "ready_for" in market["rights"]["fields"] and "shipping_method_ids" in market["rights"]["fields"]
    assert {"ready_reminder_at", "reminder_message"} <= set(market["rights"]["fields"])
    assert {s["id"] for s in editor["suppliers"]} == {cast["farm"], cast["bakery"]}
    assert all(s["rights"]["fields"] == [] for s in editor["suppliers"])
    products = cast.market.get(f"{cast.path}/editor?supplier_id={cast['farm']}").ok()
    assert {v["id"] for v in products["variants"]} == {cast["apples"], cast["pears"]}  # not the plums outside the cycle
    assert products["fees"] == []
    assert cast.market.get(f"{cast.path}/editor?supplier_id={cast['dairy']}").error(403)
    assert cast["cheese"] not in str(editor) and cast["hub-admin"] not in str(editor)


def test_the_editor_is_refused_to_outsiders(cast, people):
    outsider = people("outsider@example.org")
    outsider.enterprise("Elsewhere", "hub")
    assert outsider.get(f"{cast.path}/editor").error(403)
    assert outsider.get(f"{cast.path}/editor?supplier_id={cast['farm']}").error(403)
    assert cast.hub.get("/order-cycles/nope/editor").error(404)
    assert cast.hub.get(f"{cast.path}/editor?colour=red").error(422)["field"] == "colour"


def test_the_list_says_whether_producers_were_notified_and_who_bounced(cast, clock, mailbox):
    """The list carries each cycle's producer-email summary (no request per cycle): the
    coordinator sees when and every supplier's outcome, a supplier its own, a distributor none."""
    def listed(person):
        return next(c for c in person.get("/order-cycles").ok() if c["id"] == cast.cycle)

    assert listed(cast.hub)["producers_notified"] == {"supplier_ids": [], "failed_supplier_ids": [], "notified_at": None}
    place_order(cast.cycle, cast["hub"], "1", ("chloe@example.org", "Chloé"),
                [(cast["apples"], cast["farm"], 2, "2.50"), (cast["bread"], cast["bakery"], 1, "3.00")], clock.now())
    cast.hub.post(f"{cast.path}/notify-producers").ok()
    farm_mail = next(m for m in mailbox() if m["to"] == ["farm@example.org"])
    load_function("scheduler").on_ses_event(
        {"version": "0", "id": "e1", "detail-type": "Email Bounced", "source": "aws.ses", "account": "123456789012",
         "time": "2026-11-23T09:05:00Z", "region": "eu-west-1", "resources": [],
         "detail": {"eventType": "Bounce", "mail": {"messageId": farm_mail["id"]}, "bounce": {"bounceType": "Permanent"}}},
        LambdaContext("hubcycle-scheduler"))

    summary = listed(cast.hub)["producers_notified"]
    assert summary["supplier_ids"] == sorted([cast["farm"], cast["bakery"]])
    assert summary["failed_supplier_ids"] == [cast["farm"]]
    assert summary["notified_at"] == clock.now().isoformat()
    assert listed(cast.farm)["producers_notified"] == {"supplier_ids": [cast["farm"]], "failed_supplier_ids": [cast["farm"]]}
    assert listed(cast.bakery)["producers_notified"] == {"supplier_ids": [cast["bakery"]], "failed_supplier_ids": []}
    assert "producers_notified" not in listed(cast.market)
    clock.advance(timedelta(minutes=5))
    cast.hub.post(f"{cast.path}/notify-producers").ok()  # sent again, and delivered: the bounce is over
    assert listed(cast.hub)["producers_notified"]["failed_supplier_ids"] == []
    assert listed(cast.hub)["producers_notified"]["notified_at"] == clock.now().isoformat()
