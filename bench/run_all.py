"""`make bench`: every benchmark of issue #7 in one process and one embedded AWS, printing each
figure as a line `name: value` in the issue's order (requests per call, cold start, contention,
throughput, the bill), then issue 13's packing report, the local system over HTTP (issue 15),
customer reminders (issue 16), the storefront on a phone (issue 14, Lighthouse) and the console's
order-cycle editor (issue 12), each section's required figures first, then
informative ones. The functions' own logs go to a file, named on the first line.
docs/performance.md explains them."""
from __future__ import annotations

import os
import platform
import time

import bill
import coldstart
import contention
import cycle_editor
import local_system
import reminders
import reports
import requests_per_call
import storefront_lighthouse
import throughput
from harness import EmbeddedAWS, figure, main, section
from hubs import SMALL


def machine(_: EmbeddedAWS) -> None:
    section(f"hubcycle benchmarks, {time.strftime('%Y-%m-%d %H:%M %Z')}")
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.machine())
    figure("machine", f"{cpu}, {len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.2f}, "
                      f"Python {platform.python_version()}, {platform.platform()}")


def everything(aws: EmbeddedAWS) -> None:
    started = time.perf_counter()
    by_size = requests_per_call.run(aws)
    cold = coldstart.run(aws)
    contention.run(aws)
    throughput.run(aws)
    reports.run(aws)
    bill.run(aws, by_size[SMALL.name], cold)
    reminders.run(aws)
    local_system.run()
    storefront_lighthouse.run(aws)
    cycle_editor.run(aws)
    section(f"done in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(machine, everything)
