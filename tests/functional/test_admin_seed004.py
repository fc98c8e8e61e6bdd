"""Seed 004, rule by rule, through the HTTP routes as the role concerned: who sees and changes
what in a multi-enterprise order cycle. The cast is admin_fixtures.Cast: Green Hub coordinates
and sells, the Market sells, the Farm, the Bakery and the Dairy supply."""
from admin_fixtures import armed, cast, notified, people  # noqa: F401


def outgoing_of(view: dict, distributor: str) -> dict:
    return next(e for e in view["outgoing"] if e["distributor_id"] == distributor)


def incoming_of(view: dict, supplier: str) -> dict:
    return next(e for e in view["incoming"] if e["supplier_id"] == supplier)


# --- The coordinator


def test_the_coordinator_sees_everything(cast):
    view = cast.hub.get(cast.path).ok()
    assert view["coordinator_fee_ids"] == [cast["hub-admin"]]
    assert [e["supplier_id"] for e in view["incoming"]] == [cast["farm"], cast["bakery"], cast["dairy"]]
    assert incoming_of(view, cast["farm"]) == {
        "supplier_id": cast["farm"], "variant_ids": [cast["apples"], cast["pears"]],
        "receival_instructions": "Back door before 9am", "fee_ids": [cast["farm-transport"], cast["hub-levy"]]}
    assert [e["distributor_id"] for e in view["outgoing"]] == [cast["hub"], cast["market"]]
    assert outgoing_of(view, cast["market"])["fee_ids"] == [cast["market-margin"]]


def test_the_coordinator_applies_fees_to_suppliers_and_distributors(cast):
    cast.hub.put(f"{cast.path}/incoming/{cast['bakery']}", {"fee_ids": [cast["bakery-pack"], cast["hub-levy"]]}).ok()
    cast.hub.put(f"{cast.path}/outgoing/{cast['market']}", {"fee_ids": [cast["market-margin"], cast["hub-levy"]]}).ok()
    view = cast.hub.get(cast.path).ok()
    assert incoming_of(view, cast["bakery"])["fee_ids"] == [cast["bakery-pack"], cast["hub-levy"]]
    assert outgoing_of(view, cast["market"])["fee_ids"] == [cast["market-margin"], cast["hub-levy"]]
    assert cast.hub.put(f"{cast.path}/incoming/{cast['bakery']}", {"fee_ids": [cast["farm-extra"]]}).error(422)["field"] == "fee_ids"


# --- A supplier


def test_a_supplier_sees_only_its_own_incoming_exchange_and_its_products_in_the_shops_it_granted(cast):
    view = cast.farm.get(cast.path).ok()
    assert "coordinator_fee_ids" not in view
    assert view["incoming"] == [{
        "supplier_id": cast["farm"], "variant_ids": [cast["apples"], cast["pears"]],
        "receival_instructions": "Back door before 9am", "fee_ids": [cast["farm-transport"], cast["hub-levy"]]}]
    assert view["outgoing"] == [
        {"distributor_id": cast["hub"], "ready_for": "Saturday 9-12", "variant_ids": [cast["apples"]]},
        {"distributor_id": cast["market"], "ready_for": "Sunday market", "variant_ids": [cast["apples"]]},
    ]
    text = str(view)
    for never in ("bread", "cake", "cheese", "bakery-pack", "market-margin", "hub-admin"):
        assert cast[never] not in text


def test_a_supplier_sees_no_shop_of_a_distributor_it_did_not_grant(cast):
    view = cast.dairy.get(cast.path).ok()
    assert [e["supplier_id"] for e in view["incoming"]] == [cast["dairy"]]
    assert view["outgoing"] == [{"distributor_id": cast["hub"], "ready_for": "Saturday 9-12", "variant_ids": [cast["cheese"]]}]


def test_a_supplier_adds_and_removes_its_products_in_its_incoming_exchange(cast):
    view = cast.farm.put(f"{cast.path}/incoming/{cast['farm']}", {"variant_ids": [cast["apples"], cast["plums"]]}).ok()
    assert view["incoming"][0]["variant_ids"] == [cast["apples"], cast["plums"]]
    coordinator_view = cast.hub.get(cast.path).ok()
    assert incoming_of(coordinator_view, cast["farm"])["variant_ids"] == [cast["apples"], cast["plums"]]
    assert cast["pears"] not in str(coordinator_view["outgoing"])
    assert cast.farm.put(f"{cast.path}/incoming/{cast['farm']}", {"variant_ids": [cast["bread"]]}).error(422)["field"] == "variant_ids"


def test_a_supplier_adds_and_removes_its_own_fees_only(cast):
    path = f"{cast.path}/incoming/{cast['farm']}"
    view = cast.farm.put(path, {"fee_ids": [cast["hub-levy"], cast["farm-extra"]]}).ok()
    assert view["incoming"][0]["fee_ids"] == [cast["hub-levy"], cast["farm-extra"]]
    assert cast.farm.put(path, {"fee_ids": [cast["farm-extra"]]}).error(403)["field"] == "fee_ids"
    assert cast.farm.put(path, {"fee_ids": [cast["hub-levy"], cast["farm-extra"], cast["hub-admin"]]}).error(403)["field"] == "fee_ids"
    assert cast.farm.put(path, {"fee_ids": [cast["hub-levy"], cast["bakery-pack"]]}).error(422)["field"] == "fee_ids"


def test_a_supplier_changes_its_own_receival_instructions_not_anothers(cast):
    """Seed 003: a supplier "peut modifier les éléments le concernant"."""
    mine = cast.farm.put(f"{cast.path}/incoming/{cast['farm']}", {"receival_instructions": "Front door"}).ok()
    assert mine["incoming"][0]["receival_instructions"] == "Front door"
    assert cast.bakery.put(f"{cast.path}/incoming/{cast['farm']}", {"receival_instructions": "Mine"}).status == 403
    assert cast.hub.get(cast.path).ok()["incoming"][0]["receival_instructions"] == "Front door"


def test_a_supplier_cannot_touch_another_suppliers_exchange(cast):
    assert cast.farm.put(f"{cast.path}/incoming/{cast['bakery']}", {"variant_ids": []}).status == 403
    assert cast.bakery.get(cast.path).ok()["incoming"][0]["variant_ids"] == [cast["bread"], cast["cake"]]


def test_a_supplier_edits_its_products_in_a_shop_that_granted_it_add_to_order_cycle(cast):
    """The Market granted the Farm add_to_order_cycle: the Farm adds and removes its products
    there; the Bakery's products it cannot see stay."""
    view = cast.farm.put(f"{cast.path}/outgoing/{cast['market']}", {"variant_ids": [cast["pears"]]}).ok()
    assert outgoing_of(view, cast["market"])["variant_ids"] == [cast["pears"]]
    assert outgoing_of(cast.market.get(cast.path).ok(), cast["market"])["variant_ids"] == [cast["bread"], cast["pears"]]


def test_a_supplier_only_views_its_products_in_a_shop_that_did_not_grant_it(cast):
    """Green Hub did not grant the Farm add_to_order_cycle."""
    error = cast.farm.put(f"{cast.path}/outgoing/{cast['hub']}", {"variant_ids": [cast["apples"], cast["pears"]]}).error(403)
    assert error["field"] == "variant_ids"
    assert cast.farm.put(f"{cast.path}/outgoing/{cast['hub']}", {"variant_ids": []}).status == 403
    assert outgoing_of(cast.hub.get(cast.path).ok(), cast["hub"])["variant_ids"] == [cast["apples"], cast["bread"], cast["cheese"]]


def test_a_supplier_never_changes_pickup_details_or_a_distributors_fees(cast):
    path = f"{cast.path}/outgoing/{cast['market']}"
    assert cast.farm.put(path, {"ready_for": "Monday"}).error(403)["field"] == "ready_for"
    assert cast.farm.put(path, {"pickup_instructions": "Elsewhere"}).error(403)["field"] == "pickup_instructions"
    assert cast.farm.put(path, {"fee_ids": []}).error(403)["field"] == "fee_ids"
    assert cast.farm.put(path, {"tags": ["pro"]}).error(403)["field"] == "tags"


def test_a_supplier_cannot_rename_move_duplicate_delete_or_notify(cast, notified):
    assert cast.farm.patch(cast.path, {"name": "Farm week"}).error(403)["code"] == "forbidden"
    assert cast.farm.patch(cast.path, {"closes_at": "2026-12-24T18:00:00+00:00"}).status == 403
    assert cast.farm.post(f"{cast.path}/duplicate").status == 403
    assert cast.farm.delete(cast.path).status == 403
    assert cast.farm.post(f"{cast.path}/notify-producers").status == 403
    assert notified == []
    assert cast.hub.get(cast.path).ok()["name"] == "Week 48"


# --- A distributor


def test_a_distributor_sees_only_its_own_outgoing_exchange_and_the_suppliers_that_granted_it(cast):
    view = cast.market.get(cast.path).ok()
    assert "coordinator_fee_ids" not in view
    assert view["outgoing"] == [{
        "distributor_id": cast["market"], "variant_ids": [cast["apples"], cast["bread"]], "ready_for": "Sunday market",
        "pickup_instructions": "", "tags": [], "fee_ids": [cast["market-margin"]],
        "shipping_method_ids": None, "payment_method_ids": None, "ready_reminder_at": None, "reminder_message": ""}]
    assert view["incoming"] == [
        {"supplier_id": cast["farm"], "variant_ids": [cast["apples"], cast["pears"]]},
        {"supplier_id": cast["bakery"], "variant_ids": [cast["bread"], cast["cake"]]},
    ]
    assert cast["cheese"] not in str(view) and cast["dairy"] not in str(view)


def test_a_distributor_changes_its_pickup_details_and_its_own_fees(cast):
    path = f"{cast.path}/outgoing/{cast['market']}"
    view = cast.market.put(path, {"ready_for": "Sunday 10-12", "pickup_instructions": "Stall 4", "tags": ["pro"],
                                  "fee_ids": [cast["market-margin"], cast["market-extra"]]}).ok()
    assert outgoing_of(view, cast["market"]) | {"variant_ids": []} == {
        "distributor_id": cast["market"], "variant_ids": [], "ready_for": "Sunday 10-12", "pickup_instructions": "Stall 4",
        "tags": ["pro"], "fee_ids": [cast["market-margin"], cast["market-extra"]],
        "shipping_method_ids": None, "payment_method_ids": None, "ready_reminder_at": None, "reminder_message": ""}
    cast.hub.put(path, {"fee_ids": [cast["market-margin"], cast["market-extra"], cast["hub-levy"]]}).ok()
    assert cast.market.put(path, {"fee_ids": [cast["market-margin"]]}).error(403)["field"] == "fee_ids"


def test_a_distributor_adds_products_only_of_suppliers_that_granted_it(cast):
    path = f"{cast.path}/outgoing/{cast['market']}"
    view = cast.market.put(path, {"variant_ids": [cast["bread"], cast["cake"], cast["pears"]]}).ok()
    assert outgoing_of(view, cast["market"])["variant_ids"] == [cast["bread"], cast["cake"], cast["pears"]]
    error = cast.market.put(path, {"variant_ids": [cast["bread"], cast["cheese"]]}).error(422)
    assert (error["field"], cast["dairy"] in error["message"]) == ("variant_ids", True)


def test_a_distributor_cannot_see_or_touch_another_distributors_exchange(cast):
    assert cast.market.put(f"{cast.path}/outgoing/{cast['hub']}", {"ready_for": "Never"}).status == 403
    assert outgoing_of(cast.hub.get(cast.path).ok(), cast["hub"])["ready_for"] == "Saturday 9-12"


def test_a_distributor_cannot_add_suppliers_nor_change_incoming_products(cast, people):
    newcomer = people("newcomer@example.org")
    farm2 = newcomer.enterprise("New Farm", "profile", is_producer=True)
    newcomer.grant(farm2, cast["hub"], "add_to_order_cycle")
    assert cast.market.put(f"{cast.path}/incoming/{farm2}", {}).error(403)["code"] == "forbidden"
    assert cast.market.put(f"{cast.path}/incoming/{cast['farm']}", {"variant_ids": [cast["apples"]]}).status == 403
    assert cast.market.delete(f"{cast.path}/incoming/{cast['farm']}").status == 403
    assert cast.hub.put(f"{cast.path}/incoming/{farm2}", {}).ok()["incoming"][-1]["supplier_id"] == farm2


def test_a_distributor_cannot_add_distributors_rename_or_delete(cast, people):
    other = people("other@example.org")
    hub2 = other.enterprise("Other Hub")
    other.methods(hub2)
    other.grant(hub2, cast["hub"], "add_to_order_cycle")
    assert cast.market.put(f"{cast.path}/outgoing/{hub2}", {"ready_for": "Friday"}).status == 403
    assert cast.market.patch(cast.path, {"name": "Market week"}).status == 403
    assert cast.market.post(f"{cast.path}/duplicate").status == 403
    assert cast.market.delete(cast.path).status == 403


# --- Anyone else


def test_an_enterprise_outside_the_cycle_sees_nothing(cast, people):
    outsider = people("outsider@example.org")
    outsider.enterprise("Outsider Hub")
    error = outsider.get(cast.path).error(403)
    assert error["message"] == "None of your enterprises takes part in this order cycle."
    assert outsider.put(f"{cast.path}/outgoing/{cast['hub']}", {"ready_for": "x"}).status == 403
    assert outsider.get(f"{cast.path}/reports/orders").status == 403
