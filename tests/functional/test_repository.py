"""Every entity goes into the single table and comes back equal, on moto; the invariants the
issue names are enforced by conditional writes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from hubcycle.enterprises import Customer, Enterprise, PaymentMethod, ShippingMethod
from hubcycle.errors import Conflict
from hubcycle.fees import EnterpriseFee
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.orders import Adjustment, LineItem, Order, OrderCustomer
from hubcycle.permissions import Ability, EnterprisePermission
from hubcycle.products import Product, Variant
from hubcycle.repository import keys
from hubcycle.repository.base import Repository, TransactionCancelled, put_action
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.managers import ManagerRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.repository.orders import OrderRepository, order_item
from hubcycle.repository.shops import ShopRepository

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def hub(**fields) -> Enterprise:
    return Enterprise(**{"id": "hub", "name": "Croix-Rousse market", "kind": "hub", "email": "hub@example.org",
                         "timezone": "Europe/Paris", "owner_email": "ann@example.org", **fields})


def carrots(supplier_id="farm") -> Product:
    return Product(id="carrots", supplier_id=supplier_id, name="Carrots", unit="kg", variants=[
        Variant(id="carrots-1kg", product_id="carrots", supplier_id=supplier_id, product_name="Carrots",
                name="1 kg", unit="kg", unit_value="1", price="2.40", on_hand=5),
        Variant(id="carrots-box", product_id="carrots", supplier_id=supplier_id, product_name="Carrots",
                name="Box", unit="kg", unit_value="5", price="10.00", on_demand=True),
    ])


def test_enterprise_and_its_partition_round_trip(aws):
    enterprises = EnterpriseRepository()
    enterprise = hub(manager_emails=["bob@example.org"], customer_names_to_suppliers=True)
    enterprises.create(enterprise)
    assert enterprises.get("hub") == enterprise
    managers = ManagerRepository()
    assert managers.managed_ids("bob@example.org") == {"hub"}
    assert managers.enterprises(managers.managed_ids("ann@example.org")) == [enterprise.model_dump(mode="json")]

    shipping = ShippingMethod(id="s1", enterprise_id="hub", name="Market pickup", pickup=True, fee="0.50")
    payment = PaymentMethod(id="p1", enterprise_id="hub", name="Cash", fee="0.00")
    enterprises.add_shipping_method(shipping)
    enterprises.add_payment_method(payment)
    assert enterprises.methods("hub") == ([shipping], [payment])

    customer = Customer(enterprise_id="hub", email="Zoe@Example.org", name="Zoé", tags=["pro"])
    enterprises.put_customer(customer)
    assert enterprises.customers("hub") == [customer]
    assert customer.email == "zoe@example.org"


def test_an_enterprise_id_is_never_reused(aws):
    enterprises = EnterpriseRepository()
    enterprises.create(hub())
    with pytest.raises(Conflict):
        enterprises.create(hub(name="Another"))
    assert enterprises.get("hub").name == "Croix-Rousse market"


def test_permissions_read_from_either_side(aws):
    enterprises = EnterpriseRepository()
    permission = EnterprisePermission(grantor_id="farm", grantee_id="hub",
                                      abilities=["manage_products", "add_to_order_cycle"])
    enterprises.put_permission(permission)
    assert enterprises.permission("farm", "hub") == permission
    assert enterprises.permissions_involving(["hub"]) == [permission]
    assert enterprises.permission_graph(["farm"]).granted("farm", "hub", Ability.add_to_order_cycle)

    enterprises.put_permission(EnterprisePermission(grantor_id="farm", grantee_id="hub", abilities=[]))
    assert enterprises.permissions_involving(["hub", "farm"]) == []


def test_catalogue_and_fees_round_trip(aws):
    catalogue = CatalogueRepository()
    catalogue.create_product(carrots())
    [product] = catalogue.catalogue("farm")
    assert product == carrots()
    assert catalogue.get_variant("carrots-1kg") == (carrots().variants[0], [])

    fee = EnterpriseFee(id="f1", enterprise_id="hub", name="Packing", fee_type="packing",
                        calculator={"type": "flat_percent_per_item", "percent": "10"})
    catalogue.create_fee(fee)
    assert catalogue.fees_of("hub") == [fee]
    assert catalogue.get_fees(["f1"]) == {"f1": fee}


def cycle_with_carrots() -> OrderCycle:
    return OrderCycle(
        id="week-48", coordinator_id="hub", name="Week 48", opens_at=T0, closes_at=T0 + timedelta(days=3),
        coordinator_fee_ids=["f1"], automatic_notifications=True,
        incoming=[IncomingExchange(supplier_id="farm", variant_ids=["carrots-1kg", "carrots-box"],
                                   receival_instructions="Gate B, before 8")],
        outgoing=[OutgoingExchange(distributor_id="hub", variant_ids=["carrots-1kg"], ready_for="Saturday 10-12",
                                   pickup_instructions="Hall A", tags=["members"])],
    )


def test_order_cycle_round_trip_with_participations_and_offers(aws):
    catalogue, cycles = CatalogueRepository(), OrderCycleRepository()
    catalogue.create_product(carrots())
    fee = EnterpriseFee(id="f1", enterprise_id="hub", name="Packing", fee_type="packing",
                        calculator={"type": "flat_rate_per_item", "amount": "0.20"})
    catalogue.create_fee(fee)
    cycle = cycle_with_carrots()
    cycles.create(cycle)
    cycles.sync_offers(cycle, catalogue.get_variants_with_offers(cycle.incoming_variant_ids), {"farm": "Green farm"})
    cycles.sync_fee_copies(cycle, catalogue.get_fees(cycle.all_fee_ids()))

    assert cycles.get("week-48") == cycle
    roles = {p["enterprise_id"]: p["roles"] for p in cycles.participations("hub") + cycles.participations("farm")}
    assert roles == {"hub": ["coordinator", "distributor"], "farm": ["supplier"]}

    stored, offers, fees, _ = cycles.shop_partition("week-48")
    assert stored == cycle and fees == {"f1": fee}
    assert offers["carrots-1kg"].supplier_name == "Green farm"
    assert offers["carrots-1kg"].offered_in == ["week-48"]
    assert catalogue.get_variant("carrots-1kg")[1] == ["week-48"]


def test_a_shop_is_listed_as_selling_only_while_one_of_its_cycles_is_open(aws):
    EnterpriseRepository().create(hub())
    OrderCycleRepository().create(cycle_with_carrots())
    shops = ShopRepository()

    assert [e["name"] for e in shops.selling(T0)] == ["Croix-Rousse market"]
    assert shops.selling(T0 - timedelta(seconds=1)) == []  # upcoming
    assert shops.selling(T0 + timedelta(days=3)) == []  # closed


def test_price_and_stock_changes_reach_the_offers(aws):
    catalogue, cycles = CatalogueRepository(), OrderCycleRepository()
    catalogue.create_product(carrots())
    cycle = cycle_with_carrots().model_copy(update={"coordinator_fee_ids": []})
    cycles.create(cycle)
    cycles.sync_offers(cycle, catalogue.get_variants_with_offers(cycle.incoming_variant_ids), {})
    variant, offered_in = catalogue.get_variant("carrots-1kg")
    catalogue.save_variant(variant.model_copy(update={"price": Decimal("2.60"), "on_hand": 9}), variant, offered_in)
    offers = cycles.shop_partition("week-48").offers
    assert (offers["carrots-1kg"].price, offers["carrots-1kg"].on_hand) == (Decimal("2.60"), 9)


def test_the_coordinator_cannot_change_and_stale_saves_fail(aws):
    cycles = OrderCycleRepository()
    cycle = cycle_with_carrots()
    cycles.create(cycle)
    saved = cycles.save(cycle.model_copy(update={"name": "Week 48 bis"}), previous=cycle)
    assert cycles.get("week-48").name == "Week 48 bis"
    with pytest.raises(Conflict):
        cycles.save(cycle.model_copy(update={"name": "stale"}), previous=cycle)
    with pytest.raises(Conflict):
        cycles.save(saved.model_copy(update={"coordinator_id": "other"}),
                    previous=saved.model_copy(update={"coordinator_id": "other"}))
    assert cycles.get("week-48").coordinator_id == "hub"


def test_stock_never_goes_below_zero(aws):
    catalogue = CatalogueRepository()
    catalogue.create_product(carrots())
    decrement = {"Update": {"Key": {"PK": keys.variant("carrots-1kg"), "SK": keys.VARIANT_SK},
                            "UpdateExpression": "SET on_hand = on_hand - :q", "ConditionExpression": "on_hand >= :q",
                            "ExpressionAttributeValues": {":q": 6}}}
    with pytest.raises(TransactionCancelled) as cancelled:
        Repository().transact([decrement])
    assert cancelled.value.reasons == ["ConditionalCheckFailed"]
    assert catalogue.get_variant("carrots-1kg")[0].on_hand == 5


def test_orders_round_trip_and_an_order_id_is_never_reused(aws):
    order = Order(
        id="o1", number="HC-0001", order_cycle_id="week-48", distributor_id="hub",
        customer=OrderCustomer(email="zoe@example.org", name="Zoé"),
        items=[LineItem(variant_id="carrots-1kg", supplier_id="farm", product_name="Carrots", variant_name="1 kg",
                        quantity=2, base_price="2.40", price="2.60",
                        fees=[Adjustment(label="Packing", amount="0.40", source="f1", enterprise_id="hub")],
                        total="5.20")],
        adjustments=[Adjustment(label="Shipping: Market pickup", amount="0.50", source="shipping:s1")],
        item_total="4.80", fee_total="0.90", total="5.70", shipping_method_id="s1", payment_method_id="p1",
        created_at=T0, ready_for="Saturday 10-12",
    )
    item = order_item(order)
    Repository().transact([put_action(item, condition="attribute_not_exists(PK)")])
    assert OrderRepository().orders_of_cycle("week-48") == [order]
    with pytest.raises(TransactionCancelled):
        Repository().transact([put_action(item, condition="attribute_not_exists(PK)")])
    assert OrderCycleRepository().has_orders("week-48")


def test_a_cycle_with_orders_cannot_be_deleted_and_one_without_can(aws):
    cycles = OrderCycleRepository()
    cycle = cycle_with_carrots()
    cycles.create(cycle)
    Repository().put({"PK": keys.order_cycle(cycle.id), "SK": keys.order("o1"), "id": "o1"})
    with pytest.raises(Conflict) as refused:
        cycles.delete(cycle)
    assert refused.value.code == "order_cycle_in_use"
    assert cycles.get(cycle.id).name == "Week 48"

    empty = cycle.model_copy(update={"id": "week-49"})
    cycles.create(empty)
    cycles.delete(empty)
    assert [p["order_cycle_id"] for p in cycles.participations("farm")] == ["week-48"]


def test_due_cycles_are_found_however_long_ago(aws):
    cycles = OrderCycleRepository()
    long_ago = cycle_with_carrots().model_copy(update={"id": "old", "opens_at": T0 - timedelta(days=400),
                                                       "closes_at": T0 - timedelta(days=399)})
    cycles.create(long_ago)
    cycles.create(cycle_with_carrots())
    assert [c.id for c in cycles.due(T0 - timedelta(days=1))] == ["old"]
    assert [c.id for c in cycles.due(T0)] == ["old", "week-48"]
