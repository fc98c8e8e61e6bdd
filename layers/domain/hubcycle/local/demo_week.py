"""The demo's week after closing (issue 13's screens): two shoppers order in the demo hub's open
cycle, then the cycle closes. For the console's browser tests and screenshots; works on a local
system where `load_demo` has run."""
from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

from hubcycle.clock import clock
from hubcycle.dev import local_token
from hubcycle.local.demo import HUB_MANAGER

ORDERS = [
    ({"email": "zoe@example.org", "name": "Zoé Martin"}, {"Carottes Botte 1 kg": 3, "Brioche Brioche de 500 g": 1}),
    ({"email": "yann@example.org", "name": "Yann Petit"}, {"Carottes Botte 1 kg": 2, "Rigotte de Condrieu Pièce de 60 g": 4}),
]


def call(url: str, method: str, path: str, body: dict | None = None, email: str | None = None):
    """One JSON request, as `email` (signed in) or anonymous."""
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {local_token(email)}"} if email else {})}
    request = urllib.request.Request(f"{url}{path}", method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def close_the_week(system) -> dict:
    """The demo's open cycle with ORDERS placed in its shop, then closed: {"cycle", "orders"}."""
    admin = system.admin_url
    cycle = next(c for c in call(admin, "GET", "/order-cycles", email=HUB_MANAGER) if c["name"] == "Semaine en cours")
    hub_id = next(e for e, roles in cycle["roles"].items() if "coordinator" in roles)
    shop = f"/shops/{hub_id}/cycles/{cycle['id']}"
    variants = {f"{p['product_name']} {p['variant_name']}": p["variant_id"] for p in call(system.shop_url, "GET", f"{shop}/products")}
    shipping = call(admin, "GET", f"/enterprises/{hub_id}/shipping-methods", email=HUB_MANAGER)[0]["id"]
    payment = call(admin, "GET", f"/enterprises/{hub_id}/payment-methods", email=HUB_MANAGER)[0]["id"]
    orders = [call(system.shop_url, "POST", f"{shop}/orders", {
        "customer": customer, "items": [{"variant_id": variants[name], "quantity": q} for name, q in items.items()],
        "shipping_method_id": shipping, "payment_method_id": payment}) for customer, items in ORDERS]
    call(admin, "PATCH", f"/order-cycles/{cycle['id']}", {"closes_at": (clock.now() - timedelta(minutes=1)).isoformat()}, HUB_MANAGER)
    return {"cycle": cycle["id"], "orders": orders}
