"""The demo hub `make run` loads, through the admin API of a fresh local system."""
import json
import urllib.request

import pytest

from admin_fixtures import Answer, armed  # noqa: F401
from hubcycle.dev import local_token
from hubcycle.local.demo import HUB_MANAGER, PRODUCERS, load_demo
from hubcycle.local.system import LocalSystem, Ports
from hubcycle.repository.order_cycles import OrderCycleRepository


@pytest.fixture
def local_system(aws, embedded_aws):
    with LocalSystem(Ports.free(), embedded_aws=embedded_aws, run_scheduler=False) as system:
        yield system


def get(system, email: str, path: str) -> Answer:
    request = urllib.request.Request(f"{system.admin_url}{path}", headers={"Authorization": f"Bearer {local_token(email)}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return Answer(answer.status, json.loads(answer.read()))


def test_the_demo_hub_has_an_open_cycle_with_three_producers_and_an_upcoming_one(local_system, armed):
    lines = load_demo(local_system)
    assert HUB_MANAGER in "\n".join(lines)
    (hub,) = get(local_system, HUB_MANAGER, "/enterprises").ok()
    assert (hub["kind"], hub["timezone"], hub["language"]) == ("hub", "Europe/Paris", "fr")
    assert hub["id"] in lines[0]

    cycles = get(local_system, HUB_MANAGER, "/order-cycles").ok()
    assert [(c["name"], c["status"], c["automatic_notifications"]) for c in cycles] == [
        ("Semaine prochaine", "upcoming", True), ("Semaine en cours", "open", True)]
    current = get(local_system, HUB_MANAGER, f"/order-cycles/{cycles[1]['id']}").ok()
    assert len(current["incoming"]) == 3
    assert len(current["coordinator_fee_ids"]) == 1
    assert len(current["incoming"][0]["fee_ids"]) == 1
    (outgoing,) = current["outgoing"]
    assert outgoing["ready_for"] and outgoing["pickup_instructions"]
    variants = sum(len(v) for _, _, products in PRODUCERS for _, _, v in products)
    assert len(outgoing["variant_ids"]) == variants
    _, offers, fees, _ = OrderCycleRepository().shop_partition(current["id"])
    assert len(offers) == variants and len(fees) == 2
    assert {o.supplier_name for o in offers.values()} == {e["name"] for _, e, _ in PRODUCERS}
    assert {cycle.id for action, cycle in armed if action == "arm"} == {c["id"] for c in cycles}

    farm_manager = PRODUCERS[0][0]
    (farm_view,) = get(local_system, farm_manager, "/order-cycles").ok()[1:]
    assert farm_view["roles"] == {current["incoming"][0]["supplier_id"]: ["supplier"]}
