"""Issue #7, part 5: the monthly AWS bill of one hub (one deployment), from the requests counted
and the durations measured by the other benchmarks, priced at AWS's published on-demand prices
for eu-west-1 (Ireland), with no free tier subtracted.

The model, stated so it can be checked and changed:
- Lambda, 512 MB x86 (functions/*/.chalice/config.json, infra/out): a function gets CPU in
  proportion to its memory, one vCPU at 1,769 MB, so the time measured here on a full core for
  a function's own work is scaled by 1769/512; the time it waits for AWS is kept as measured on
  the embedded AWS (moto answers more slowly than DynamoDB does: this errs on the dear side).
  Since August 2025 Lambda bills the init phase too: every cold start is billed for the import
  and first-request overhead measured by bench/coldstart.py (its CPU time, scaled the same way).
- Cold starts: every sweep (every 3 hours, infra/core.yaml's SweepRule; Lambda keeps an idle
  environment for minutes, not hours: assumed cold), every scheduled opening and closing, one per shopper
  session and one per manager session.
- DynamoDB on demand: read and write units estimated from the items read and written
  (harness.read_units / write_units); storage of STORED_MB with point-in-time recovery.
- Logs: what the functions wrote here per call, plus Lambda's own START/END/REPORT lines.
- Metrics (powertools EMF): custom metrics are billed by the hour in which they are sent; each
  event is counted as its own metric-hour (an upper bound).
- The storefront: its files from CloudFront for each shopper session (no browser cache between
  sessions: the dear side), and S3 storage.
- Checkout's rate limit (services/rate_limits.py, on by default on AWS, off where the checkouts
  above were measured): one more TransactWriteItems per order, two counters, 4 write units.
- Failures cost nothing while there are none: the dead-letter queue is not polled, the alarm topic
  sends nothing. The alarms are priced apart (`cost.alarms`): $0.10 per alarm metric a month, and
  the stack's 8 fit in the 10 that CloudWatch's always-free tier gives each account.

Run alone: `.venv/bin/python bench/bill.py` (measures what it needs first)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness import ROOT, EmbeddedAWS, figure, main, section
from hubs import SMALL
from requests_per_call import ADMIN_ROUTES, Calls, measure_hub

REGION = "eu-west-1"
PRICES = {
    # AWS's published on-demand prices for eu-west-1, in USD (checked against the public price
    # pages as last known: re-check them before quoting the bill).
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_x86": 0.0000166667,
    "api_gateway_rest_request": 3.50 / 1e6,
    "dynamodb_write_unit": 1.4135 / 2 / 1e6,   # on demand, halved in November 2024
    "dynamodb_read_unit": 0.283 / 2 / 1e6,
    "dynamodb_storage_gb_month": 0.283,
    "dynamodb_pitr_gb_month": 0.22,
    "ses_email": 0.10 / 1000,
    "eventbridge_custom_event": 1.00 / 1e6,
    "scheduler_invocation": 1.00 / 1e6,
    "cloudwatch_logs_ingested_gb": 0.57,
    "cloudwatch_logs_stored_gb_month": 0.03,
    "cloudwatch_metric_hour": 0.30 / 730,
    "cloudwatch_alarm_metric_month": 0.10,
    "cognito_essentials_mau": 0.015,
    "cloudfront_https_request": 0.0120 / 10_000,
    "cloudfront_transfer_gb_europe": 0.085,
    "s3_storage_gb_month": 0.023,
    "data_transfer_out_gb": 0.09,
}
MEMORY_GB = 0.5
CPU_SCALE = 1769 / 512
HOURS_PER_MONTH = 730
WEEKS_PER_MONTH = HOURS_PER_MONTH / 168
SWEEP_HOURS = int(re.search(r"ScheduleExpression: rate\((\d+) hours?\)", (ROOT / "infra" / "core.yaml").read_text())[1])
"""The SweepRule's period, read from infra/core.yaml."""
SWEEPS_PER_MONTH = HOURS_PER_MONTH / SWEEP_HOURS
RATE_LIMIT_WRITE_UNITS = 4
"""Per order: two counters (address, email) updated in one transaction, 2 write units each."""
ALARM_METRICS = 7
"""infra/core.yaml: DeadLetters 1, ApiErrors 2, ApiThrottles 2, FailedEmails 2 (tests/infra checks it)."""
LAMBDA_PLATFORM_LOG_BYTES = 350
STORED_MB = 10
"""A year of a small hub's orders and catalogue, generously."""

# The active hub of issue #7, per week.
SHOPPERS = 100
PAGES_PER_SHOPPER = 20
ORDERS = 100
MANAGER_SESSIONS, ADMIN_REQUESTS, MONTHLY_ACTIVE_MANAGERS = 5, 35, 4
"""Not in the issue: a hub manager running the week's cycle (5 sign-ins, 35 admin requests, as
many of each route measured by requests_per_call.measure_admin) and three producers signing in:
4 Cognito monthly active users."""


@dataclass
class Bill:
    lines: dict[str, float] = field(default_factory=dict)

    def add(self, item: str, usd: float) -> None:
        self.lines[item] = self.lines.get(item, 0.0) + usd

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def billed_seconds(own: float, wait: float) -> float:
    return own * CPU_SCALE + wait


def invocations(bill: Bill, call: Calls, count: float, *, api: bool = False) -> None:
    """`count` warm invocations of the function making `call`, and what it asks of AWS."""
    seconds = billed_seconds(call.own_seconds, call.wait_seconds)
    bill.add("lambda", count * (PRICES["lambda_request"] + seconds * MEMORY_GB * PRICES["lambda_gb_second_x86"]))
    bill.add("dynamodb requests", count * (call.calls.read_units * PRICES["dynamodb_read_unit"]
                                            + call.calls.write_units * PRICES["dynamodb_write_unit"]))
    bill.add("ses", count * call.calls.counts["sesv2.SendEmail"] * PRICES["ses_email"])
    bill.add("eventbridge", count * call.calls.counts["eventbridge.PutEvents"] * PRICES["eventbridge_custom_event"])
    log_gb = count * (call.log_bytes + LAMBDA_PLATFORM_LOG_BYTES) / 1e9
    bill.add("cloudwatch logs", log_gb * (PRICES["cloudwatch_logs_ingested_gb"] + PRICES["cloudwatch_logs_stored_gb_month"]))
    if api:
        bill.add("api gateway", count * PRICES["api_gateway_rest_request"])
        bill.add("data transfer out", count * call.answer_bytes / 1e9 * PRICES["data_transfer_out_gb"])


def cold_starts(bill: Bill, function: str, count: float, coldstart: dict[str, dict[str, float]],
                warm: Calls | None) -> None:
    """The init and first-request overhead of `count` cold starts: the cold first request's CPU
    time beyond the same request warm (the bare app's, for a function with no warm figure). CPU
    time, not wall time: on an idle machine they are the same (docs/performance.md, section 2),
    while on a busy one the wall time of a fresh process counts its wait for a core too, which a
    Lambda function, with its share of a core, does not have."""
    cold = coldstart[function]
    warm_own = warm.own_seconds if warm else coldstart["bare"]["own_s"] - coldstart["bare"]["import_s"]
    extra = max(0.0, cold["cpu_s"] - warm_own) * CPU_SCALE
    bill.add("lambda", count * extra * MEMORY_GB * PRICES["lambda_gb_second_x86"])


def fixed(bill: Bill) -> None:
    """What a hub pays for holding its data and its storefront, busy or not."""
    stored_gb = STORED_MB / 1024
    bill.add("dynamodb storage", stored_gb * (PRICES["dynamodb_storage_gb_month"] + PRICES["dynamodb_pitr_gb_month"]))
    bill.add("s3 storefront", storefront_bytes() / 1e9 * PRICES["s3_storage_gb_month"])


def storefront_files() -> list[Path]:
    return [f for f in (ROOT / "storefront").iterdir() if f.is_file() and f.suffix in (".html", ".js", ".css")]


def storefront_bytes() -> int:
    return sum(f.stat().st_size for f in storefront_files())


def idle_hub(measured: dict[str, Calls], coldstart: dict) -> Bill:
    bill = Bill()
    fixed(bill)
    invocations(bill, measured["sweep"], SWEEPS_PER_MONTH)
    cold_starts(bill, "scheduler", SWEEPS_PER_MONTH, coldstart, measured["sweep"])
    return bill


def active_hub(measured: dict[str, Calls], coldstart: dict) -> Bill:
    bill = idle_hub(measured, coldstart)
    weeks = WEEKS_PER_MONTH
    sessions = SHOPPERS * weeks
    browsing = PAGES_PER_SHOPPER - 2
    invocations(bill, measured["shops"], sessions, api=True)
    invocations(bill, measured["shop"], sessions, api=True)
    invocations(bill, measured["products"], sessions * browsing, api=True)
    invocations(bill, measured["warm_checkout"], ORDERS * weeks, api=True)
    bill.add("dynamodb requests", ORDERS * weeks * RATE_LIMIT_WRITE_UNITS * PRICES["dynamodb_write_unit"])
    cold_starts(bill, "shop", sessions, coldstart, measured["shops"])
    for action in ("open", "close"):
        invocations(bill, measured[action], weeks)
        bill.add("eventbridge scheduler", weeks * PRICES["scheduler_invocation"])
    cold_starts(bill, "scheduler.closing", 2 * weeks, coldstart, measured["close"])
    for route in ADMIN_ROUTES:
        invocations(bill, measured[f"admin.{route}"], ADMIN_REQUESTS / len(ADMIN_ROUTES) * weeks, api=True)
    cold_starts(bill, "admin", MANAGER_SESSIONS * weeks, coldstart, None)
    bill.add("cognito", MONTHLY_ACTIVE_MANAGERS * PRICES["cognito_essentials_mau"])
    metric_hours = (ORDERS + 5) * weeks  # OrdersPlaced per order; 2 metrics at the opening, 3 at the closing
    bill.add("cloudwatch metrics", metric_hours * PRICES["cloudwatch_metric_hour"])
    bill.add("cloudfront", sessions * (len(storefront_files()) * PRICES["cloudfront_https_request"]
                                       + storefront_bytes() / 1e9 * PRICES["cloudfront_transfer_gb_europe"]))
    return bill


def report(name: str, bill: Bill) -> None:
    figure(f"cost.{name}.usd_per_month", round(bill.total, 3))
    figure(f"cost.{name}.breakdown_usd", ", ".join(f"{item} {usd:.4f}" for item, usd in
                                                    sorted(bill.lines.items(), key=lambda kv: -kv[1])))


def run(aws: EmbeddedAWS, measured: dict[str, Calls] | None = None, coldstart: dict | None = None) -> dict[str, float]:
    """Price the small hub's measured calls; measure them (and the cold starts) first if not given."""
    if measured is None:
        measured = measure_hub(aws, SMALL)
    if coldstart is None:
        from coldstart import run as measure_coldstart

        coldstart = measure_coldstart(aws)
    section(f"5. The bill: one hub, {REGION} on-demand prices, no free tier (model in bench/bill.py)")
    idle, active = idle_hub(measured, coldstart), active_hub(measured, coldstart)
    report("idle_hub", idle)
    report("active_hub", active)
    alarms = ALARM_METRICS * PRICES["cloudwatch_alarm_metric_month"]
    figure("cost.alarms.usd_per_month", f"{alarms:.2f} ({ALARM_METRICS} alarm metrics; $0 within the always-free "
                                         "10 per account)")
    figure("cost.sweeps_per_month", f"{SWEEPS_PER_MONTH:.0f} (every {SWEEP_HOURS} hours)")
    figure("cost.prices", f"{REGION} USD: " + ", ".join(f"{k} {v:.10g}" for k, v in PRICES.items()))
    figure("cost.lambda_ms_billed", ", ".join(
        f"{name} {1000 * billed_seconds(measured[name].own_seconds, measured[name].wait_seconds):.0f}"
        for name in ("shops", "shop", "products", "warm_checkout", "open", "close", "sweep")))
    return {"idle_hub": idle.total, "active_hub": active.total}


if __name__ == "__main__":
    main(run)
