"""The demo hub `make run` loads, set up through the admin HTTP API exactly as its managers would:
a farmers' market hub in Lyon coordinating an open order cycle with three producers, and the next
week's cycle, upcoming. Works against a fresh local system; every id is the server's."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta

from hubcycle.clock import clock
from hubcycle.dev import LOCAL_PASSWORD, local_token

HUB_MANAGER = "claire@example.org"
HUB = {"name": "Marché de la Croix-Rousse", "kind": "hub", "is_producer": False, "email": "marche@example.org",
       "timezone": "Europe/Paris", "language": "fr",
       "description": "Les produits de fermes à moins de 50 km de Lyon, commandés la semaine, retirés le samedi.",
       "address": "Place de la Croix-Rousse\n69004 Lyon", "phone": "04 78 00 00 00"}

PRODUCERS = [
    # (manager, enterprise, products: (name, unit, variants: (name, unit_value, price, on_hand or None: on demand)))
    ("paul@example.org", {"name": "Ferme des Monts d'Or", "kind": "profile", "email": "ferme@example.org"}, [
        ("Carottes", "kg", [("Botte 1 kg", "1", "2.40", 40), ("Sac 5 kg", "5", "10.00", 12)]),
        ("Pommes de terre", "kg", [("Sac 2,5 kg", "2.5", "4.50", 30)]),
        ("Salade batavia", "item", [("Pièce", "1", "1.20", None)]),
    ]),
    ("lucie@example.org", {"name": "Fromagerie du Pilat", "kind": "profile", "email": "fromagerie@example.org"}, [
        ("Rigotte de Condrieu", "g", [("Pièce de 60 g", "60", "2.80", 50)]),
        ("Tomme du Pilat", "g", [("Portion de 250 g", "250", "5.50", 20), ("Portion de 500 g", "500", "10.50", 8)]),
    ]),
    ("marc@example.org", {"name": "Boulangerie Saint-Vincent", "kind": "shop", "email": "boulangerie@example.org"}, [
        ("Pain de campagne", "g", [("Miche de 1 kg", "1000", "5.20", None)]),
        ("Brioche", "g", [("Brioche de 500 g", "500", "6.80", 15)]),
    ]),
]

RECEIVAL = "Livraison le vendredi avant 10 h, entrée rue d'Austerlitz."
PICKUP = "Place de la Croix-Rousse, stand 12. Apportez vos sacs et vos boîtes à œufs."


class _Manager:
    """One manager signed in to the local admin API."""

    def __init__(self, admin_url: str, email: str):
        self.admin_url = admin_url
        self.email = email
        self.token = local_token(email)

    def __call__(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.admin_url}{path}",
            method=method,
            data=json.dumps(body or {}).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"demo: {method} {path} answered {error.code}: {error.read().decode()}") from None


def _producer(admin_url: str, hub_id: str, manager_email: str, enterprise: dict, products: list) -> tuple[str, list[str]]:
    """A producer granting the hub add_to_order_cycle, with its catalogue: (id, variant ids)."""
    manager = _Manager(admin_url, manager_email)
    producer_id = manager("POST", "/enterprises", {**enterprise, "is_producer": True, "timezone": "Europe/Paris",
                                                   "language": "fr"})["id"]
    manager("PUT", f"/enterprises/{producer_id}/permissions/{hub_id}", {"abilities": ["add_to_order_cycle"]})
    variant_ids = []
    for name, unit, variants in products:
        created = manager("POST", f"/enterprises/{producer_id}/products", {"name": name, "unit": unit, "variants": [
            {"name": v, "unit_value": value, "price": price,
             **({"on_hand": on_hand} if on_hand is not None else {"on_demand": True})}
            for v, value, price, on_hand in variants
        ]})
        variant_ids += [v["id"] for v in created["variants"]]
    return producer_id, variant_ids


def load_demo(system) -> list[str]:
    """Set up the demo hub through `system.admin_url`; the lines to print about it."""
    hub = _Manager(system.admin_url, HUB_MANAGER)
    hub_id = hub("POST", "/enterprises", HUB)["id"]
    hub("POST", f"/enterprises/{hub_id}/shipping-methods", {"name": "Retrait au marché", "pickup": True})
    hub("POST", f"/enterprises/{hub_id}/payment-methods", {"name": "Paiement au retrait"})
    hub_fee = hub("POST", f"/enterprises/{hub_id}/fees", {
        "name": "Fonctionnement du marché", "fee_type": "admin",
        "calculator": {"type": "flat_percent_per_item", "percent": "8"}})["id"]
    producers = [_producer(system.admin_url, hub_id, *producer) for producer in PRODUCERS]
    farm = _Manager(system.admin_url, PRODUCERS[0][0])
    transport = farm("POST", f"/enterprises/{producers[0][0]}/fees", {
        "name": "Transport depuis les Monts d'Or", "fee_type": "transport",
        "calculator": {"type": "flat_rate_per_item", "amount": "0.20"}})["id"]

    now = clock.now().replace(microsecond=0)
    cycle = hub("POST", "/order-cycles", {
        "coordinator_id": hub_id, "name": "Semaine en cours", "opens_at": (now - timedelta(hours=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(), "coordinator_fee_ids": [hub_fee],
        "automatic_notifications": True,
    })["id"]
    for producer_id, variant_ids in producers:
        hub("PUT", f"/order-cycles/{cycle}/incoming/{producer_id}", {"variant_ids": variant_ids, "receival_instructions": RECEIVAL})
    farm("PUT", f"/order-cycles/{cycle}/incoming/{producers[0][0]}", {"fee_ids": [transport]})
    hub("PUT", f"/order-cycles/{cycle}/outgoing/{hub_id}", {
        "variant_ids": [v for _, variant_ids in producers for v in variant_ids],
        "ready_for": "Samedi, 10 h – 12 h", "pickup_instructions": PICKUP})

    upcoming = hub("POST", f"/order-cycles/{cycle}/duplicate")["id"]
    hub("PATCH", f"/order-cycles/{upcoming}", {
        "name": "Semaine prochaine", "opens_at": (now + timedelta(days=7)).isoformat(),
        "closes_at": (now + timedelta(days=14)).isoformat()})
    hub("PUT", f"/order-cycles/{upcoming}/outgoing/{hub_id}", {"ready_for": "Samedi suivant, 10 h – 12 h"})

    producer_managers = ", ".join(email for email, _, _ in PRODUCERS)
    return [
        f"  demo hub       {HUB['name']} (id {hub_id}): cycle {cycle} open for 7 days, {upcoming} upcoming",
        f"  log in as      {HUB_MANAGER} (hub manager); producers: {producer_managers}",
        f"  password       {LOCAL_PASSWORD} (console sign-in of every demo manager)",
    ]
