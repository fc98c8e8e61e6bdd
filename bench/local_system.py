"""Issue 15, point 6: the local system `make run` starts, measured from outside, in its own
process (`python -m hubcycle.local` with the demo hub, on free ports), over HTTP as a browser and
a manager's script reach it.

- `contention.http.*`: 100 shoppers, each on a connection of its own, post at the same instant an
  order for one of the last 10 units of a variant: 10 sold, 90 refused 409 insufficient_stock,
  no error (a refused or reset connection, a 5xx), the stock at 0.
- `local.memory_mb.*`: the process's resident memory (RSS) once started, and after 2,000 orders
  placed over HTTP by 4 shoppers at a time; `local.mailbox_ms.after_2000_orders`: one read of the
  mailbox, then holding some 2,000 confirmation emails.

Run alone: `.venv/bin/python bench/local_system.py`."""
from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from harness import ROOT, figure, main, section

from hubcycle.local.demo import HUB_MANAGER, PRODUCERS
from hubcycle.local.system import Ports

SHOPPERS = 100
LAST_UNITS = 10
ORDERS = 2000
ORDERING_AT_ONCE = 4
COUNTED = ("Carottes", "Botte 1 kg")
ON_DEMAND = ("Salade batavia", "Pièce")
"""Two variants of the demo hub (hubcycle.local.demo): 40 counted units, and one sold on demand."""


class LocalProcess:
    """`python -m hubcycle.local` on free ports, its output in the benchmark's log."""

    def __init__(self):
        self.ports = Ports.free()
        self.env = {**{k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"},
                    "HUBCYCLE_STOREFRONT_PORT": str(self.ports.storefront), "HUBCYCLE_SHOP_PORT": str(self.ports.shop),
                    "HUBCYCLE_ADMIN_PORT": str(self.ports.admin), "HUBCYCLE_AWS_PORT": str(self.ports.aws),
                    "PYTHONPATH": str(ROOT / "layers" / "domain")}
        self.process = subprocess.Popen([sys.executable, "-m", "hubcycle.local"], env=self.env, stdout=subprocess.PIPE,
                                        text=True)
        for line in self.process.stdout:  # the banner comes once the demo hub is loaded
            if "Ctrl-C stops everything" in line:
                break
        else:
            raise RuntimeError("the local system stopped while starting")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def token(self, email: str) -> str:
        return subprocess.run([sys.executable, "-m", "hubcycle.dev", "token", email], env=self.env, check=True,
                              capture_output=True, text=True, timeout=60).stdout.strip()

    def rss_mb(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            kib = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        return kib / 1024

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def call(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, object]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Content-Type": "application/json", **(headers or {})})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"null")
    finally:
        connection.close()


def order(shop: dict, cycle_id: str, variant_id: str, n: int) -> dict:
    return {"customer": {"email": f"shopper{n}@example.org", "name": f"Shopper {n}"},
            "items": [{"variant_id": variant_id, "quantity": 1}],
            "shipping_method_id": shop["shipping_methods"][0]["id"], "payment_method_id": shop["payment_methods"][0]["id"]}


def run() -> None:
    section(f"6. The local system over HTTP: {SHOPPERS} simultaneous checkouts, then {ORDERS} orders")
    local = LocalProcess()
    try:
        figure("local.memory_mb.at_start", local.rss_mb())
        ports = local.ports
        _, shops = call(ports.shop, "GET", "/shops")
        _, shop = call(ports.shop, "GET", f"/shops/{shops[0]['id']}")
        cycle_id = shop["cycles"][0]["id"]
        _, offers = call(ports.shop, "GET", f"/shops/{shop['id']}/cycles/{cycle_id}/products")
        counted = next(o for o in offers if (o["product_name"], o["variant_name"]) == COUNTED)
        on_demand = next(o for o in offers if (o["product_name"], o["variant_name"]) == ON_DEMAND)
        farmer = {"Authorization": f"Bearer {local.token(PRODUCERS[0][0])}"}
        status, _ = call(ports.admin, "PATCH", f"/variants/{counted['variant_id']}", {"on_hand": LAST_UNITS}, farmer)
        assert status == 200, status
        contend(ports.shop, shop, cycle_id, counted["variant_id"])
        _, catalogue = call(ports.admin, "GET", f"/enterprises/{counted['supplier']['id']}/products", headers=farmer)
        figure("contention.http.final_stock", next(v["on_hand"] for p in catalogue for v in p["variants"]
                                                   if v["id"] == counted["variant_id"]))
        place_orders(local, shop, cycle_id, on_demand["variant_id"])
    finally:
        local.stop()


def contend(port: int, shop: dict, cycle_id: str, variant_id: str) -> None:
    together = threading.Barrier(SHOPPERS)

    def checkout(n: int) -> str:
        together.wait()
        try:
            status, answer = call(port, "POST", f"/shops/{shop['id']}/cycles/{cycle_id}/orders",
                                  order(shop, cycle_id, variant_id, n), {"Idempotency-Key": f"contended-{n}"})
        except OSError as error:
            return f"error {type(error).__name__}"
        return f"{status} {(answer or {}).get('error', {}).get('code', '')}".strip() if status != 201 else "201"

    started = time.perf_counter()
    with ThreadPoolExecutor(SHOPPERS) as pool:
        outcomes = Counter(pool.map(checkout, range(SHOPPERS)))
    elapsed = time.perf_counter() - started
    figure("contention.http.sold", outcomes.pop("201", 0))
    figure("contention.http.conflicts", outcomes.pop("409 insufficient_stock", 0))
    figure("contention.http.errors", sum(outcomes.values()))
    if outcomes:
        figure("contention.http.error_answers", ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    figure("contention.http.seconds", elapsed)


def place_orders(local: LocalProcess, shop: dict, cycle_id: str, variant_id: str) -> None:
    path = f"/shops/{shop['id']}/cycles/{cycle_id}/orders"

    def checkout(n: int) -> int:
        return call(local.ports.shop, "POST", path, order(shop, cycle_id, variant_id, n))[0]

    started = time.perf_counter()
    with ThreadPoolExecutor(ORDERING_AT_ONCE) as pool:
        answers = Counter(pool.map(checkout, range(ORDERS)))
    elapsed = time.perf_counter() - started
    figure("local.orders_placed", answers[201])
    figure("local.orders_per_s.http", answers[201] / elapsed)
    figure("local.memory_mb.after_2000_orders", local.rss_mb())
    started = time.perf_counter()
    _, mail = call(local.ports.storefront, "GET", "/_local/mail")
    figure("local.mailbox_ms.after_2000_orders", 1000 * (time.perf_counter() - started))
    figure("local.mailbox.emails", len(mail))


if __name__ == "__main__":
    main(lambda _: run())
