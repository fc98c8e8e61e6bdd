"""Counts emitted where they happen, outside a handler's own `Metrics` (CloudWatch embedded metric
format: one record printed per event, nothing to flush, safe across threads)."""
from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit, single_metric

EMAIL_FAILURES = "EmailFailures"
"""Any email not sent, whatever its kind and whichever function tried: the one metric the
failed-emails alarm watches (with ProducerEmailsBounced), so that it covers every kind of email
within CloudWatch's free alarm metrics. Each kind keeps its own count beside it."""
SYSTEM = "hubcycle"


def count(name: str, service: str) -> None:
    namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "hubcycle")
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=namespace,
                       default_dimensions={"service": service}):
        pass  # the record is complete on entry and printed on exit


def email_failed() -> None:
    count(EMAIL_FAILURES, SYSTEM)
