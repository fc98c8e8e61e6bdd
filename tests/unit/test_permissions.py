"""Seed 004, rule by rule: who may see and change what in a multi-enterprise order cycle.

The cast: Green Hub coordinates and sells; the Market sells too. The Farm, the Bakery and the
Dairy supply. Everyone granted Green Hub add_to_order_cycle. The Farm and the Bakery let the
Market sell their products; the Dairy did not. The Market lets the Farm (not the Bakery) add
products to its shop."""
import pytest
from pydantic import ValidationError

from hubcycle.enterprises import Enterprise
from hubcycle.errors import Forbidden, Invalid
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.permissions import (
    Ability,
    EnterprisePermission,
    OrderCycleAccess,
    PermissionGraph,
    apply_incoming_edit,
    apply_outgoing_edit,
    cycles_changed_by_revoke,
    distributor_refusal,
    supplier_refusal,
)

ADD = Ability.add_to_order_cycle


def grant(grantor, grantee, *abilities):
    return EnterprisePermission(grantor_id=grantor, grantee_id=grantee, abilities=list(abilities or [ADD]))


GRAPH = PermissionGraph(
    [
        grant("farm", "hub"),
        grant("bakery", "hub"),
        grant("dairy", "hub"),
        grant("market", "hub"),
        grant("farm", "market"),
        grant("bakery", "market"),
        grant("market", "farm"),
    ]
)

FEE_OWNER = {
    "hub-admin": "hub",
    "hub-levy": "hub",
    "hub-margin": "hub",
    "hub-delivery": "hub",
    "farm-transport": "farm",
    "farm-extra": "farm",
    "bakery-pack": "bakery",
    "market-margin": "market",
    "market-extra": "market",
}
CATALOGUE = {"apples": "farm", "pears": "farm", "plums": "farm", "bread": "bakery", "cake": "bakery", "cheese": "dairy"}


def the_cycle():
    return OrderCycle(
        id="oc-1",
        coordinator_id="hub",
        name="Week 45",
        opens_at="2026-11-02T08:00:00+00:00",
        closes_at="2026-11-09T18:00:00+00:00",
        coordinator_fee_ids=["hub-admin"],
        automatic_notifications=True,
        incoming=[
            IncomingExchange(
                supplier_id="farm",
                variant_ids=["apples", "pears"],
                receival_instructions="Back door before 9am",
                fee_ids=["farm-transport", "hub-levy"],
            ),
            IncomingExchange(supplier_id="bakery", variant_ids=["bread", "cake"], fee_ids=["bakery-pack"]),
            IncomingExchange(supplier_id="dairy", variant_ids=["cheese"]),
        ],
        outgoing=[
            OutgoingExchange(
                distributor_id="hub",
                variant_ids=["apples", "bread", "cheese"],
                ready_for="Friday 5pm",
                pickup_instructions="Church hall",
                tags=["members"],
                fee_ids=["hub-margin"],
            ),
            OutgoingExchange(
                distributor_id="market",
                variant_ids=["apples", "bread"],
                ready_for="Saturday 9am",
                pickup_instructions="Market square, stall 4",
                fee_ids=["market-margin", "hub-delivery"],
            ),
        ],
    )


CYCLE = the_cycle()
TOP = {
    "id": "oc-1",
    "name": "Week 45",
    "coordinator_id": "hub",
    "opens_at": "2026-11-02T08:00:00+00:00",
    "closes_at": "2026-11-09T18:00:00+00:00",
    "automatic_notifications": True,
}


def access(*managed, cycle=CYCLE):
    return OrderCycleAccess.of(cycle, set(managed), GRAPH)


def incoming(supplier_id, **changes):
    return CYCLE.incoming_of(supplier_id).model_copy(update=changes)


def outgoing(distributor_id, **changes):
    return CYCLE.outgoing_of(distributor_id).model_copy(update=changes)


def edit_in(who, supplier_id, **changes):
    return apply_incoming_edit(access(*who), CYCLE, supplier_id, incoming(supplier_id, **changes), FEE_OWNER, CATALOGUE)


def edit_out(who, distributor_id, **changes):
    return apply_outgoing_edit(access(*who), CYCLE, distributor_id, outgoing(distributor_id, **changes), FEE_OWNER)


def enterprise(id, name, kind, is_producer=False):
    return Enterprise(id=id, name=name, kind=kind, is_producer=is_producer, email=f"{id}@example.org", owner_email="o@example.org")


# --- Permissions themselves


def test_abilities_are_deduplicated_and_sorted():
    permission = grant("farm", "hub", "manage_products", ADD, "edit_profile", ADD)
    assert permission.abilities == [Ability.add_to_order_cycle, Ability.edit_profile, Ability.manage_products]


def test_unknown_abilities_and_grants_to_oneself_are_rejected():
    with pytest.raises(ValidationError):
        grant("farm", "hub", "sell_anything")
    with pytest.raises(ValidationError):
        grant("farm", "farm")


def test_grants_go_one_way_and_every_enterprise_holds_every_ability_over_itself():
    assert GRAPH.granted("farm", "market", ADD)
    assert not GRAPH.granted("market", "bakery", ADD)
    assert not GRAPH.granted("farm", "market", Ability.manage_products)
    assert GRAPH.granted("dairy", "dairy", Ability.edit_profile)


# --- Viewing


def test_coordinator_sees_everything():
    view = access("hub").view(CYCLE)
    assert view == {
        **TOP,
        "coordinator_fee_ids": ["hub-admin"],
        "incoming": [e.model_dump(mode="json") for e in CYCLE.incoming],
        "outgoing": [e.model_dump(mode="json") for e in CYCLE.outgoing],
    }
    assert "status" not in view


def test_supplier_sees_its_incoming_exchange_and_its_products_in_shops_it_granted():
    assert access("farm").view(CYCLE) == {
        **TOP,
        "incoming": [
            {
                "supplier_id": "farm",
                "variant_ids": ["apples", "pears"],
                "receival_instructions": "Back door before 9am",
                "fee_ids": ["farm-transport", "hub-levy"],
            }
        ],
        "outgoing": [
            {"distributor_id": "hub", "ready_for": "Friday 5pm", "variant_ids": ["apples"]},
            {"distributor_id": "market", "ready_for": "Saturday 9am", "variant_ids": ["apples"]},
        ],
    }


def test_supplier_does_not_see_shops_it_did_not_grant():
    view = access("dairy").view(CYCLE)
    assert [e["supplier_id"] for e in view["incoming"]] == ["dairy"]
    assert view["outgoing"] == [{"distributor_id": "hub", "ready_for": "Friday 5pm", "variant_ids": ["cheese"]}]


def test_supplier_sees_shops_it_granted_even_without_the_shops_grant():
    # The market did not let the bakery add products: the bakery still sees its bread there.
    view = access("bakery").view(CYCLE)
    assert {"distributor_id": "market", "ready_for": "Saturday 9am", "variant_ids": ["bread"]} in view["outgoing"]


def test_distributor_sees_its_outgoing_exchange_and_products_of_suppliers_that_granted_it():
    assert access("market").view(CYCLE) == {
        **TOP,
        "incoming": [
            {"supplier_id": "farm", "variant_ids": ["apples", "pears"]},
            {"supplier_id": "bakery", "variant_ids": ["bread", "cake"]},
        ],
        "outgoing": [
            {
                "distributor_id": "market",
                "variant_ids": ["apples", "bread"],
                "ready_for": "Saturday 9am",
                "pickup_instructions": "Market square, stall 4",
                "tags": [],
                "fee_ids": ["market-margin", "hub-delivery"],
                "shipping_method_ids": None,
                "payment_method_ids": None,
                "ready_reminder_at": None,
                "reminder_message": "",
            }
        ],
    }


def test_several_roles_see_the_union_of_their_views():
    view = access("farm", "market").view(CYCLE)
    assert "coordinator_fee_ids" not in view
    assert view["incoming"] == [
        CYCLE.incoming_of("farm").model_dump(mode="json"),
        {"supplier_id": "bakery", "variant_ids": ["bread", "cake"]},
    ]
    assert view["outgoing"] == [
        {"distributor_id": "hub", "ready_for": "Friday 5pm", "variant_ids": ["apples"]},
        CYCLE.outgoing_of("market").model_dump(mode="json"),
    ]


def test_no_role_sees_nothing_and_changes_nothing():
    outsider = access("orchard")
    assert not outsider.can_see
    assert access("dairy").can_see
    with pytest.raises(Forbidden):
        apply_incoming_edit(outsider, CYCLE, "farm", incoming("farm"), FEE_OWNER, CATALOGUE)
    with pytest.raises(Forbidden):
        apply_outgoing_edit(outsider, CYCLE, "market", outgoing("market"), FEE_OWNER)


# --- What only the coordinator does


@pytest.mark.parametrize("who", [("farm",), ("market",), ("farm", "market", "bakery", "dairy")])
def test_only_the_coordinator_renames_dates_duplicates_deletes_and_notifies(who):
    with pytest.raises(Forbidden, match="Only the order cycle's coordinator can rename this order cycle"):
        access(*who).require_coordinator("rename this order cycle")
    access("hub").require_coordinator("rename this order cycle")


def test_only_the_coordinator_adds_suppliers():
    newcomer = IncomingExchange(supplier_id="orchard", variant_ids=[])
    with pytest.raises(Forbidden, match="add suppliers"):
        apply_incoming_edit(access("farm", "orchard"), CYCLE, "orchard", newcomer, FEE_OWNER, CATALOGUE)
    assert apply_incoming_edit(access("hub"), CYCLE, "orchard", newcomer, FEE_OWNER, CATALOGUE) == newcomer


def test_a_distributor_cannot_add_itself():
    without_market = CYCLE.model_copy(update={"outgoing": CYCLE.outgoing[:1]})
    shop = OutgoingExchange(distributor_id="market", ready_for="Saturday")
    with pytest.raises(Forbidden, match="add distributors"):
        apply_outgoing_edit(access("market", cycle=without_market), without_market, "market", shop, FEE_OWNER)


# --- Incoming exchanges


def test_coordinator_changes_any_incoming_exchange():
    changed = edit_in(["hub"], "farm", variant_ids=["plums"], receival_instructions="Front gate", fee_ids=["farm-extra"])
    assert changed.model_dump() == {
        "supplier_id": "farm",
        "variant_ids": ["plums"],
        "receival_instructions": "Front gate",
        "fee_ids": ["farm-extra"],
    }


def test_incoming_variants_must_be_the_suppliers_own():
    for who in (["hub"], ["farm"]):
        with pytest.raises(Invalid) as error:
            edit_in(who, "farm", variant_ids=["apples", "bread", "ghost"])
        assert error.value.field == "variant_ids"
        assert "bread, ghost" in error.value.message


def test_supplier_adds_and_removes_its_own_products():
    assert edit_in(["farm"], "farm", variant_ids=["apples", "plums"]).variant_ids == ["apples", "plums"]


def test_supplier_adds_and_removes_its_own_fees_and_others_stay():
    changed = edit_in(["farm"], "farm", fee_ids=["hub-levy", "farm-extra"])
    assert changed.fee_ids == ["hub-levy", "farm-extra"]


@pytest.mark.parametrize(
    "fee_ids",
    [
        ["farm-transport"],  # leaves out the hub's levy
        ["farm-transport", "hub-levy", "market-margin"],  # adds someone else's fee
    ],
)
def test_supplier_cannot_touch_other_enterprises_fees(fee_ids):
    with pytest.raises(Forbidden, match="only its own fees") as error:
        edit_in(["farm"], "farm", fee_ids=fee_ids)
    assert error.value.field == "fee_ids"


def test_supplier_changes_its_receival_instructions():
    """Seed 003: a supplier "peut modifier les éléments le concernant"."""
    assert edit_in(["farm"], "farm", receival_instructions="Leave it anywhere").receival_instructions == "Leave it anywhere"


def test_unknown_fees_are_invalid():
    with pytest.raises(Invalid) as error:
        edit_in(["hub"], "farm", fee_ids=["no-such-fee"])
    assert error.value.field == "fee_ids"


def test_nobody_else_changes_a_suppliers_incoming_exchange():
    for who in (["bakery"], ["market"]):
        with pytest.raises(Forbidden):
            edit_in(who, "farm", variant_ids=["apples"])


# --- Outgoing exchanges


def test_coordinator_changes_any_outgoing_exchange():
    changed = edit_out(
        ["hub"],
        "market",
        variant_ids=["pears"],
        ready_for="Sunday",
        pickup_instructions="Car park",
        tags=["pro"],
        fee_ids=[],
    )
    assert changed.model_dump() == {
        "distributor_id": "market",
        "variant_ids": ["pears"],
        "ready_for": "Sunday",
        "pickup_instructions": "Car park",
        "tags": ["pro"],
        "fee_ids": [],
        "shipping_method_ids": None,
        "payment_method_ids": None,
        "ready_reminder_at": None,
        "reminder_message": "",
    }


def test_outgoing_variants_must_be_incoming():
    for who in (["hub"], ["market"], ["farm"]):
        with pytest.raises(Invalid) as error:
            edit_out(who, "market", variant_ids=["apples", "plums"])
        assert error.value.field == "variant_ids"
        assert "plums" in error.value.message


def test_both_ways_rule_only_suppliers_that_granted_the_distributor_reach_its_shop():
    # The dairy supplies the coordinator, but never let the market sell its cheese.
    for who in (["hub"], ["market"]):
        with pytest.raises(Invalid, match="dairy has not granted market") as error:
            edit_out(who, "market", variant_ids=["apples", "bread", "cheese"])
        assert error.value.field == "variant_ids"
    assert edit_out(["hub"], "hub", variant_ids=["cheese"]).variant_ids == ["cheese"]


def test_a_distributor_sells_its_own_products_without_a_grant():
    honey = IncomingExchange(supplier_id="market", variant_ids=["honey"])
    cycle = CYCLE.model_copy(update={"incoming": [*CYCLE.incoming, honey]})
    shop = cycle.outgoing_of("market").model_copy(update={"variant_ids": ["apples", "bread", "honey"]})
    assert apply_outgoing_edit(access("hub", cycle=cycle), cycle, "market", shop, FEE_OWNER).variant_ids == [
        "apples",
        "bread",
        "honey",
    ]


def test_distributor_changes_its_products_dates_pickup_tags_and_own_fees():
    changed = edit_out(
        ["market"],
        "market",
        variant_ids=["bread", "pears"],
        ready_for="Saturday 10am",
        pickup_instructions="Stall 7",
        tags=["pro"],
        fee_ids=["hub-delivery", "market-extra"],
    )
    assert changed.model_dump() == {
        "distributor_id": "market",
        "variant_ids": ["bread", "pears"],
        "ready_for": "Saturday 10am",
        "pickup_instructions": "Stall 7",
        "tags": ["pro"],
        "fee_ids": ["hub-delivery", "market-extra"],
        "shipping_method_ids": None,
        "payment_method_ids": None,
        "ready_reminder_at": None,
        "reminder_message": "",
    }


def test_distributor_cannot_remove_the_coordinators_fee_on_its_exchange():
    with pytest.raises(Forbidden, match="only its own fees"):
        edit_out(["market"], "market", fee_ids=["market-margin"])


def test_distributor_never_changes_another_distributors_exchange():
    with pytest.raises(Forbidden):
        edit_out(["market"], "hub", ready_for="Whenever")


def test_supplier_granted_by_the_distributor_adds_and_removes_only_its_own_products():
    # The farm sees only its apples in the market's list; the bakery's bread stays.
    assert edit_out(["farm"], "market", variant_ids=["pears"]).variant_ids == ["bread", "pears"]
    assert edit_out(["farm"], "market", variant_ids=[]).variant_ids == ["bread"]


def test_supplier_cannot_add_another_suppliers_products():
    with pytest.raises(Forbidden, match="cake"):
        edit_out(["farm"], "market", variant_ids=["apples", "cake"])


def test_supplier_without_the_distributors_grant_only_views_its_products():
    # The bakery let the market sell its bread, but the market never let the bakery add products.
    assert edit_out(["bakery"], "market", variant_ids=["bread"]) == CYCLE.outgoing_of("market")
    with pytest.raises(Forbidden, match="only if market granted it add_to_order_cycle"):
        edit_out(["bakery"], "market", variant_ids=[])
    with pytest.raises(Forbidden):
        edit_out(["bakery"], "market", variant_ids=["bread", "cake"])


def test_supplier_that_did_not_grant_the_distributor_cannot_touch_its_shop():
    with pytest.raises(Forbidden):
        edit_out(["dairy"], "market", variant_ids=["apples", "bread"])


@pytest.mark.parametrize(
    "changes",
    [
        {"ready_for": "Sunday"},
        {"pickup_instructions": "My farm gate"},
        {"tags": ["farm-friends"]},
        {"fee_ids": ["market-margin", "hub-delivery", "farm-extra"]},
        {"fee_ids": []},
        {"shipping_method_ids": ["van"]},
        {"payment_method_ids": ["cash"]},
    ],
)
def test_supplier_never_changes_a_shops_pickup_details_or_fees(changes):
    with pytest.raises(Forbidden) as error:
        edit_out(["farm"], "market", **changes)
    assert error.value.field == next(iter(changes))


def test_several_roles_edit_with_the_union_of_their_rights():
    # Managing the farm and the bakery: the farm's grant from the market lets its products move;
    # the bakery's products cannot.
    assert edit_out(["farm", "bakery"], "market", variant_ids=["bread", "pears"]).variant_ids == ["bread", "pears"]
    with pytest.raises(Forbidden):
        edit_out(["farm", "bakery"], "market", variant_ids=["apples"])
    # Managing the farm and the market: the market's own rights apply to its exchange.
    assert edit_out(["farm", "market"], "market", ready_for="Sunday").ready_for == "Sunday"


# --- Who may take part


HUB = enterprise("hub", "Green Hub", "hub")
FARM = enterprise("farm", "Hill Farm", "profile", is_producer=True)
BAKERY = enterprise("bakery", "Corner Bakery", "shop", is_producer=True)
MARKET = enterprise("market", "Saturday Market", "hub")
ORCHARD = enterprise("orchard", "Old Orchard", "profile", is_producer=True)
DELI = enterprise("deli", "Deli", "hub")


def test_suppliers_are_producers_that_granted_the_coordinator():
    assert supplier_refusal(HUB, FARM, GRAPH) is None
    assert supplier_refusal(HUB, BAKERY, GRAPH) is None
    assert supplier_refusal(HUB, ORCHARD, GRAPH).text == (
        "Old Orchard has not granted Green Hub permission to add it to order cycles"
    )
    assert supplier_refusal(HUB, DELI, GRAPH).text == (
        "Deli is not a producer and has not granted Green Hub permission to add it to order cycles"
    )
    assert supplier_refusal(HUB, MARKET, GRAPH).text == "Saturday Market is not a producer"


def test_distributors_are_hubs_that_granted_the_coordinator_with_shipping_and_payment():
    assert distributor_refusal(HUB, MARKET, GRAPH, True, True) is None
    assert distributor_refusal(HUB, HUB, GRAPH, True, True) is None
    assert distributor_refusal(HUB, MARKET, GRAPH, True, False).text == "Saturday Market has no payment method"
    assert distributor_refusal(HUB, MARKET, GRAPH, False, True).text == "Saturday Market has no shipping method"
    assert distributor_refusal(HUB, DELI, GRAPH, False, False).text == (
        "Deli has not granted Green Hub permission to add it to order cycles, has no shipping method "
        "and has no payment method"
    )
    assert distributor_refusal(HUB, DELI, GRAPH, False, False).reasons == (
        {"code": "not_granted", "ability": "add_to_order_cycle", "grantee": "Green Hub"},
        {"code": "no_shipping_method"},
        {"code": "no_payment_method"},
    )
    assert distributor_refusal(HUB, BAKERY, GRAPH, True, True).text == "Corner Bakery is not a hub"


def test_a_shops_cycles_have_the_shop_as_only_supplier_and_distributor():
    assert supplier_refusal(BAKERY, BAKERY, GRAPH) is None
    assert distributor_refusal(BAKERY, BAKERY, GRAPH, True, True) is None
    assert distributor_refusal(BAKERY, BAKERY, GRAPH, True, False).text == "Corner Bakery has no payment method"
    assert "only supplier" in supplier_refusal(BAKERY, FARM, GRAPH).text
    assert "only distributor" in distributor_refusal(BAKERY, MARKET, GRAPH, True, True).text


def test_a_profile_cannot_coordinate():
    assert "profiles cannot coordinate" in supplier_refusal(FARM, FARM, GRAPH).text
    assert "profiles cannot coordinate" in distributor_refusal(FARM, MARKET, GRAPH, True, True).text
    assert supplier_refusal(FARM, FARM, GRAPH).reasons == ({"code": "coordinator_is_profile", "coordinator": "Hill Farm"},)


# --- Revoking


def test_revoking_removes_the_supplier_from_the_grantees_cycles():
    market_cycle = the_cycle().model_copy(update={"id": "oc-2", "coordinator_id": "market"})
    farmless = the_cycle().model_copy(update={"id": "oc-3", "incoming": CYCLE.incoming[1:], "outgoing": []})
    changed = cycles_changed_by_revoke([CYCLE, market_cycle, farmless], "farm", "hub")
    assert [c.id for c in changed] == ["oc-1"]
    [after] = changed
    assert after.supplier_ids == ["bakery", "dairy"]
    assert [(e.distributor_id, e.variant_ids) for e in after.outgoing] == [
        ("hub", ["bread", "cheese"]),
        ("market", ["bread"]),
    ]
    assert CYCLE.supplier_ids == ["farm", "bakery", "dairy"]  # the given cycle is untouched


def test_revoking_a_distributor_leaves_the_coordinators_cycles_alone():
    assert cycles_changed_by_revoke([CYCLE], "farm", "market") == []
