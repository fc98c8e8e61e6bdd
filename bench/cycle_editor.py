"""Issue 12's scale figure: the console opens the order-cycle editor of a cycle of 50 suppliers
and 2,000 variants (hubs.LARGE) ready to edit, one supplier's products listed for search and
select-all. Measured over HTTP against the local system (`make run`'s admin API, on this
benchmark's moto server): the admin API requests the console makes for that
(console/src/pages/cycle_editor.js) and the time they take, median of a few runs after a warm-up."""
from __future__ import annotations

import json
import statistics
import time
import urllib.request

from harness import EmbeddedAWS, figure, section
from hubs import LARGE, MANAGER, build_hub

from hubcycle.dev import local_token
from hubcycle.local.system import LocalSystem, Ports

EDITOR_REQUESTS = ("/editor", "/editor?supplier_id={supplier}")
"""What the console asks, in order: the cycle, then the products of the supplier opened."""
RUNS = 5


def run(aws: EmbeddedAWS) -> None:
    section("console: the order-cycle editor of 50 suppliers and 2,000 variants")
    aws.reset()
    cycle_id = "week-48-editor"
    hub = build_hub(LARGE, cycle_id, None, None)
    with LocalSystem(Ports.free(), embedded_aws=aws.endpoint, run_scheduler=False) as system:
        token = local_token(MANAGER)
        paths = [f"{system.admin_url}/order-cycles/{cycle_id}{p.format(supplier=hub.producer_ids[0])}" for p in EDITOR_REQUESTS]

        def open_editor() -> tuple[list[float], list[dict], int]:
            took, answers, size = [], [], 0
            for path in paths:
                started = time.perf_counter()
                with urllib.request.urlopen(urllib.request.Request(path, headers={"Authorization": f"Bearer {token}"}),
                                            timeout=120) as answer:
                    body = answer.read()
                took.append(time.perf_counter() - started)
                answers.append(json.loads(body))
                size += len(body)
            return took, answers, size

        open_editor()
        runs = [open_editor() for _ in range(RUNS)]
    seconds = statistics.median(sum(r[0]) for r in runs)
    _, (editor, supplier), size = runs[0]
    variants = sum(len(e["variant_ids"]) for e in editor["order_cycle"]["incoming"])
    assert len(editor["suppliers"]) == len(hub.producer_ids) and variants == len(hub.variant_ids), "not the whole cycle"
    assert supplier["variants"], "no products for the supplier opened"
    figure("console.cycle_editor.requests", len(EDITOR_REQUESTS))
    figure("console.cycle_editor.ms", round(seconds * 1000))
    figure("console.cycle_editor.open_ms", round(statistics.median(r[0][0] for r in runs) * 1000))
    figure("console.cycle_editor.supplier_ms", round(statistics.median(r[0][1] for r in runs) * 1000))
    figure("console.cycle_editor.suppliers", len(editor["suppliers"]))
    figure("console.cycle_editor.variants", variants)
    figure("console.cycle_editor.answer_kb", round(size / 1024))
