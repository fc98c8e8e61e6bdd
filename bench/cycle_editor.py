"""Issue 12's scale figure: the console opens the order-cycle editor of a cycle of 50 suppliers
and 2,000 variants (hubs.LARGE) ready to edit. Measured over HTTP against the local system
(`make run`'s admin API, on this benchmark's moto server): the number of admin API requests the
console makes to open it (console/src/pages/cycle_editor.js: one GET /order-cycles/{id}/editor),
and the time that request takes, median of a few, after one warm-up (the function is loaded)."""
from __future__ import annotations

import json
import statistics
import time
import urllib.request

from harness import EmbeddedAWS, figure, section, transactions_without_table_snapshot
from hubs import LARGE, MANAGER, build_hub

from hubcycle.dev import local_token
from hubcycle.local.system import LocalSystem, Ports

EDITOR_REQUESTS = ("GET /order-cycles/{id}/editor",)
"""What the console asks to open the editor, in order (console/src/pages/cycle_editor.js)."""
RUNS = 5


def run(aws: EmbeddedAWS) -> None:
    section("console: the order-cycle editor of 50 suppliers and 2,000 variants")
    aws.reset()
    cycle_id = "week-48-editor"
    with transactions_without_table_snapshot():
        hub = build_hub(LARGE, cycle_id, None, None)
    with LocalSystem(Ports.free(), embedded_aws=aws.endpoint, run_scheduler=False) as system:
        request = urllib.request.Request(f"{system.admin_url}/order-cycles/{cycle_id}/editor",
                                         headers={"Authorization": f"Bearer {local_token(MANAGER)}"})

        def open_editor() -> tuple[float, dict, int]:
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as answer:
                body = answer.read()
            return time.perf_counter() - started, json.loads(body), len(body)

        open_editor()
        runs = [open_editor() for _ in range(RUNS)]
    seconds = statistics.median(r[0] for r in runs)
    _, editor, size = runs[0]
    variants = sum(len(s["variants"]) for s in editor["suppliers"])
    assert len(editor["suppliers"]) == len(hub.producer_ids) and variants == len(hub.variant_ids), "not the whole cycle"
    figure("console.cycle_editor.requests", len(EDITOR_REQUESTS))
    figure("console.cycle_editor.ms", round(seconds * 1000))
    figure("console.cycle_editor.suppliers", len(editor["suppliers"]))
    figure("console.cycle_editor.variants", variants)
    figure("console.cycle_editor.answer_kb", round(size / 1024))
