"""Fee calculators with worked numbers, which fees reach which line, and an order's totals."""
from decimal import Decimal

import pytest
from pydantic import ValidationError

from hubcycle.enterprises import PaymentMethod, ShippingMethod
from hubcycle.fees import (
    EnterpriseFee,
    FeeType,
    FlatPercentItemTotal,
    FlatPercentPerItem,
    FlatRate,
    FlatRatePerItem,
    FlexiRate,
    PriceSack,
    Weight,
    price_order,
    shop_price,
)
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.products import Variant

D = Decimal


def variant(id="apples", supplier_id="farm", price="1.25", unit="g", unit_value="500", name="500g bag"):
    return Variant(
        id=id,
        product_id=f"p-{id}",
        supplier_id=supplier_id,
        product_name=id.capitalize(),
        name=name,
        unit=unit,
        unit_value=unit_value,
        price=price,
        on_demand=True,
    )


def fee(id, calculator, enterprise_id="hub", fee_type=FeeType.sales, name=None):
    return EnterpriseFee(id=id, enterprise_id=enterprise_id, name=name or id, fee_type=fee_type, calculator=calculator)


APPLES = variant()
BREAD = variant(id="bread", supplier_id="bakery", price="4.00", unit="item", unit_value="1", name="Loaf")
PICKUP = ShippingMethod(id="ship-1", enterprise_id="hub", name="Market pickup", pickup=True, fee="0.00")
DELIVERY = ShippingMethod(id="ship-2", enterprise_id="hub", name="Home delivery", pickup=False, fee="5.00")
CASH = PaymentMethod(id="pay-1", enterprise_id="hub", name="Cash", fee="0.00")
CARD = PaymentMethod(id="pay-2", enterprise_id="hub", name="Card", fee="0.30")


def cycle(coordinator_fees=(), farm_fees=(), bakery_fees=(), hub_fees=(), market_fees=()):
    """Hub coordinates; the farm supplies apples, the bakery bread; the hub sells both, the
    market only apples."""
    return OrderCycle(
        id="oc-1",
        coordinator_id="hub",
        name="Week 36",
        coordinator_fee_ids=list(coordinator_fees),
        incoming=[
            IncomingExchange(supplier_id="farm", variant_ids=["apples"], fee_ids=list(farm_fees)),
            IncomingExchange(supplier_id="bakery", variant_ids=["bread"], fee_ids=list(bakery_fees)),
        ],
        outgoing=[
            OutgoingExchange(distributor_id="hub", variant_ids=["apples", "bread"], ready_for="Friday", fee_ids=list(hub_fees)),
            OutgoingExchange(distributor_id="market", variant_ids=["apples"], ready_for="Saturday", fee_ids=list(market_fees)),
        ],
    )


def by_id(*fees):
    return {f.id: f for f in fees}


# --- Calculators, worked


def test_flat_rate_per_item_is_amount_times_quantity():
    assert FlatRatePerItem(amount="0.50").charge(APPLES, 3) == D("1.50")


def test_flat_percent_per_item_rounds_each_unit_before_multiplying():
    # 10% of 1.25 = 0.125 -> 0.13 per unit, x3 = 0.39
    assert FlatPercentPerItem(percent="10").charge(APPLES, 3) == D("0.39")


def test_flat_percent_item_total_rounds_once_for_the_line():
    # 10% of 3.75 = 0.375 -> 0.38
    assert FlatPercentItemTotal(percent="10").charge(APPLES, 3) == D("0.38")


def test_weight_is_per_kg_times_weight_times_quantity():
    # 500 g = 0.5 kg; 2.00 x 0.5 x 3 = 3.00
    assert Weight(per_kg="2.00").charge(APPLES, 3) == D("3.00")


def test_weight_rounds_once_per_line():
    # 0.33 x 0.25 kg x 3 = 0.2475 -> 0.25 (rounding per unit would give 0.08 x 3 = 0.24)
    quarter_kilo = variant(unit="kg", unit_value="0.25")
    assert Weight(per_kg="0.33").charge(quarter_kilo, 3) == D("0.25")


def test_weight_of_items_and_volumes_is_nothing():
    assert Weight(per_kg="2.00").charge(BREAD, 4) == D("0.00")
    assert Weight(per_kg="2.00").charge(variant(unit="l", unit_value="1"), 4) == D("0.00")


def test_flat_rate_is_the_amount_whatever_the_lines():
    assert FlatRate(amount="2.00").charge([(APPLES, 7), (BREAD, 1)]) == D("2.00")


@pytest.mark.parametrize(
    "quantities, expected",
    [
        ([1], "1.00"),  # first item only
        ([2], "1.50"),  # 1.00 + 0.50
        ([2, 1], "2.00"),  # three items across two lines: 1.00 + 2 x 0.50
        ([4, 3], "2.00"),  # seven items, capped at max_items = 3
    ],
)
def test_flexi_rate_counts_items_up_to_max_items(quantities, expected):
    calculator = FlexiRate(first_item="1.00", additional_item="0.50", max_items=3)
    lines = [(APPLES, q) for q in quantities]
    assert calculator.charge(lines) == D(expected)


def test_flexi_rate_without_max_items_counts_every_item():
    calculator = FlexiRate(first_item="1.00", additional_item="0.50")
    assert calculator.max_items == 0
    assert calculator.charge([(APPLES, 5)]) == D("3.00")  # 1.00 + 4 x 0.50


def test_flexi_rate_rejects_negative_max_items():
    with pytest.raises(ValidationError):
        FlexiRate(first_item="1.00", additional_item="0.50", max_items=-1)


def test_price_sack_is_normal_below_the_minimal_item_total_and_discounted_from_it():
    sack = PriceSack(minimal_amount="10.00", normal_amount="2.00", discount_amount="0.50")
    assert sack.charge([(BREAD, 2), (APPLES, 1)]) == D("2.00")  # 9.25
    assert sack.charge([(BREAD, 2), (APPLES, 1), (APPLES, 1)]) == D("0.50")  # 10.50
    assert sack.charge([(variant(price="10.00"), 1)]) == D("0.50")  # exactly the minimal amount


def test_calculator_is_read_from_its_type():
    read = EnterpriseFee.model_validate(
        {
            "id": "f1",
            "enterprise_id": "hub",
            "name": "Delivery",
            "fee_type": "transport",
            "calculator": {"type": "flexi_rate", "first_item": "1.00", "additional_item": "0.25", "max_items": 4},
        }
    )
    assert isinstance(read.calculator, FlexiRate)
    assert read.per_item is False
    assert read.model_dump(mode="json")["calculator"] == {
        "type": "flexi_rate",
        "first_item": "1.00",
        "additional_item": "0.25",
        "max_items": 4,
    }


@pytest.mark.parametrize(
    "calculator",
    [
        {"type": "per_kilo", "amount": "1.00"},
        {"type": "flat_rate", "amount": "1.005"},
        {"type": "flat_rate_per_item", "amount": "-1.00"},
        {"type": "flat_percent_per_item"},
    ],
)
def test_bad_calculators_are_rejected(calculator):
    with pytest.raises(ValidationError):
        EnterpriseFee(id="f", enterprise_id="hub", name="Bad", fee_type="admin", calculator=calculator)


def test_fee_type_must_be_one_of_the_hubs_kinds():
    with pytest.raises(ValidationError):
        fee("f", FlatRate(amount="1.00"), fee_type="tip")


def test_per_item_calculators_are_per_item():
    assert fee("f", FlatRatePerItem(amount="1.00")).per_item
    assert fee("f", Weight(per_kg="1.00")).per_item
    assert not fee("f", PriceSack(minimal_amount="1.00", normal_amount="1.00", discount_amount="0.00")).per_item


# --- Which fees reach which line


def test_shop_price_adds_per_item_fees_for_one_unit():
    fees = by_id(
        fee("coord", FlatRatePerItem(amount="0.10")),
        fee("farm", FlatPercentPerItem(percent="10"), enterprise_id="farm"),
        fee("hub-margin", FlatRatePerItem(amount="0.20")),
        fee("hub-sack", FlatRate(amount="3.00")),
    )
    oc = cycle(coordinator_fees=["coord"], farm_fees=["farm"], hub_fees=["hub-margin", "hub-sack"])
    # 1.25 + 0.10 coordinator + 0.13 farm + 0.20 hub; the per-order fee is not in the price
    assert shop_price(oc, "hub", APPLES, fees) == D("1.68")
    # the market does not carry the hub's fees
    assert shop_price(oc, "market", APPLES, fees) == D("1.48")
    # the farm's fee stays on the farm's products
    assert shop_price(oc, "hub", BREAD, fees) == D("4.30")


def test_supplier_fees_reach_only_that_suppliers_lines():
    fees = by_id(fee("bakery", FlatRatePerItem(amount="0.40"), enterprise_id="bakery"))
    order = price_order(cycle(bakery_fees=["bakery"]), "hub", [(APPLES, 2), (BREAD, 3)], fees, PICKUP, CASH)
    apples, bread = order.items
    assert apples.fees == []
    assert [(f.label, f.amount, f.enterprise_id) for f in bread.fees] == [("Sales: bakery", D("1.20"), "bakery")]


def test_coordinator_fees_reach_every_line_in_every_shop():
    fees = by_id(fee("coord", FlatRatePerItem(amount="0.10"), name="Hub running costs", fee_type=FeeType.admin))
    oc = cycle(coordinator_fees=["coord"])
    order = price_order(oc, "hub", [(APPLES, 2), (BREAD, 1)], fees, PICKUP, CASH)
    assert [[(f.label, f.amount) for f in line.fees] for line in order.items] == [
        [("Admin: Hub running costs", D("0.20"))],
        [("Admin: Hub running costs", D("0.10"))],
    ]
    assert price_order(oc, "market", [(APPLES, 1)], fees, PICKUP, CASH).fee_total == D("0.10")


def test_distributor_fees_reach_only_its_own_shop():
    fees = by_id(fee("market", FlatRatePerItem(amount="0.30"), enterprise_id="market"))
    oc = cycle(market_fees=["market"])
    assert price_order(oc, "market", [(APPLES, 2)], fees, PICKUP, CASH).fee_total == D("0.60")
    assert price_order(oc, "hub", [(APPLES, 2)], fees, PICKUP, CASH).fee_total == D("0.00")


def test_per_order_fee_is_charged_once_per_order():
    fees = by_id(fee("pack", FlatRate(amount="2.00"), fee_type=FeeType.packing, name="Box"))
    order = price_order(cycle(hub_fees=["pack"]), "hub", [(APPLES, 3), (BREAD, 2)], fees, PICKUP, CASH)
    assert [(a.label, a.amount, a.source) for a in order.adjustments] == [("Packing: Box", D("2.00"), "pack")]


def test_supplier_per_order_fee_only_when_the_order_has_its_products():
    fees = by_id(fee("delivery", FlatRate(amount="1.50"), enterprise_id="bakery", fee_type=FeeType.transport))
    oc = cycle(bakery_fees=["delivery"])
    assert price_order(oc, "hub", [(APPLES, 3)], fees, PICKUP, CASH).adjustments == []
    with_bread = price_order(oc, "hub", [(APPLES, 3), (BREAD, 1)], fees, PICKUP, CASH)
    assert [a.amount for a in with_bread.adjustments] == [D("1.50")]


def test_per_order_fee_is_computed_on_the_lines_its_exchange_carries():
    fees = by_id(
        fee("sack", PriceSack(minimal_amount="10.00", normal_amount="2.00", discount_amount="0.00"), enterprise_id="farm"),
        fee("flexi", FlexiRate(first_item="1.00", additional_item="0.50"), enterprise_id="farm"),
    )
    # 12.00 of bread does not lift the farm's 2.50 of apples to the discount; bread is not counted
    order = price_order(cycle(farm_fees=["sack", "flexi"]), "hub", [(APPLES, 2), (BREAD, 3)], fees, PICKUP, CASH)
    assert [(a.source, a.amount) for a in order.adjustments] == [("sack", D("2.00")), ("flexi", D("1.50"))]


def test_fees_that_come_to_nothing_are_left_off():
    fees = by_id(
        fee("weight", Weight(per_kg="1.00")),
        fee("sack", PriceSack(minimal_amount="1.00", normal_amount="2.00", discount_amount="0.00")),
    )
    order = price_order(cycle(coordinator_fees=["weight", "sack"]), "hub", [(BREAD, 2)], fees, PICKUP, CASH)
    assert order.items[0].fees == []
    assert order.adjustments == []
    assert order.total == D("8.00")


def test_a_fee_missing_from_the_catalogue_is_an_error_not_a_cheaper_order():
    with pytest.raises(KeyError):
        price_order(cycle(coordinator_fees=["gone"]), "hub", [(APPLES, 1)], {}, PICKUP, CASH)


# --- An order's money


def test_shipping_and_payment_fees_are_adjustments_when_not_zero():
    order = price_order(cycle(), "hub", [(APPLES, 1)], {}, DELIVERY, CARD)
    assert [(a.label, a.amount, a.source) for a in order.adjustments] == [
        ("Shipping: Home delivery", D("5.00"), "shipping:ship-2"),
        ("Payment: Card", D("0.30"), "payment:pay-2"),
    ]
    assert price_order(cycle(), "hub", [(APPLES, 1)], {}, PICKUP, CASH).adjustments == []


def test_line_price_is_for_one_unit_and_total_for_the_quantity():
    fees = by_id(fee("pct", FlatPercentItemTotal(percent="10")))
    line = price_order(cycle(coordinator_fees=["pct"]), "hub", [(APPLES, 3)], fees, PICKUP, CASH).items[0]
    assert line.base_price == D("1.25")
    assert line.price == D("1.38")  # 1.25 + 0.125 rounded
    assert line.total == D("4.13")  # 3.75 + 0.38, not 3 x 1.38
    assert (line.variant_id, line.supplier_id, line.product_name, line.variant_name, line.quantity) == (
        "apples",
        "farm",
        "Apples",
        "500g bag",
        3,
    )


def test_totals_add_up():
    fees = by_id(
        fee("coord", FlatPercentPerItem(percent="10")),
        fee("farm", Weight(per_kg="0.80"), enterprise_id="farm"),
        fee("hub", FlexiRate(first_item="1.00", additional_item="0.25", max_items=4)),
    )
    oc = cycle(coordinator_fees=["coord"], farm_fees=["farm"], hub_fees=["hub"])
    order = price_order(oc, "hub", [(APPLES, 3), (BREAD, 2)], fees, DELIVERY, CARD)
    # apples: 3.75 + 0.39 (10% per unit) + 1.20 (0.80 x 0.5 kg x 3) = 5.34
    # bread:  8.00 + 0.80 (10% per unit) = 8.80
    assert [line.total for line in order.items] == [D("5.34"), D("8.80")]
    # flexi on 5 items capped at 4: 1.00 + 3 x 0.25 = 1.75; shipping 5.00; payment 0.30
    assert [a.amount for a in order.adjustments] == [D("1.75"), D("5.00"), D("0.30")]
    assert order.item_total == D("11.75")
    assert order.fee_total == D("0.39") + D("1.20") + D("0.80") + D("1.75") + D("5.00") + D("0.30")
    assert order.total == D("21.19")
    assert order.total == order.item_total + order.fee_total
    assert order.total == sum(line.total for line in order.items) + sum(a.amount for a in order.adjustments)
    assert order.model_dump(mode="json")["total"] == "21.19"
