"""The scheduler function: opens and closes order cycles when EventBridge says it is time.
No HTTP routes. Three entry points (names fixed for infra/):
- `on_schedule`: target of each cycle's one-time EventBridge Scheduler schedules;
- `sweep`: every 3 hours, whatever is due and unprocessed, and the undelivered outbox;
- `on_ses_event`: SES bounces and complaints (default bus), which mark a notification failed.
Most invocations are sweeps that find nothing owed: hubcycle.services.sweeps answers them without
the domain models, and the other entry points load theirs when called."""
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from chalice import Chalice, Rate

from hubcycle.errors import Invalid
from hubcycle.services import sweeps

app = Chalice(app_name="hubcycle-scheduler", configure_logs=False)  # powertools Logger logs
logger = Logger(service="hubcycle-scheduler")
metrics = Metrics(namespace="hubcycle", service="hubcycle-scheduler")


def _report(counts) -> dict:
    """Every count becomes a metric (CyclesOpened, CyclesClosed, ProducerEmailsSent, ...)."""
    for name, value in counts.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    if counts:
        metrics.flush_metrics()
    logger.info("processed", extra={"counts": dict(counts)})
    return dict(counts)


@app.lambda_function(name="on_schedule")
def on_schedule(event, context):
    from hubcycle.services import outbox_retries, reminders, scheduling

    try:
        if outbox_retries.is_retry(event):
            counts = scheduling.deliver_undelivered()
        else:
            counts = reminders.run(event) if reminders.is_reminder_schedule(event) else scheduling.run_schedule(event)
    except Invalid as error:
        logger.error("not a cycle schedule's input; ignored", extra={"event": event, "errors": error.message})
        return {"ignored": True}
    return _report(counts)


@app.schedule(Rate(3, unit=Rate.HOURS), name="sweep")
def sweep(event):
    return _report(sweeps.sweep())


@app.on_cw_event({"source": ["aws.ses"], "detail-type": ["Email Bounced", "Email Complaint Received"]},
                 name="on_ses_event")
def on_ses_event(event):
    from hubcycle.services import notifications

    failed = notifications.record_delivery_failure(event.detail)
    logger.info("SES delivery event", extra={"detail_type": event.detail_type, "notifications_failed": failed})
    if failed:
        metrics.add_metric(name="ProducerEmailsBounced", unit=MetricUnit.Count, value=failed)
        metrics.flush_metrics()
    return {"notifications_failed": failed}
