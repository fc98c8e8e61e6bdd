"""Contract fixture (tests/infra): the three entry points the stack invokes. Not deployed.

  on_schedule   target of the one-time EventBridge Scheduler schedules the admin function creates
  sweep         the 15-minute safety rule (an EventBridge scheduled event)
  on_ses_event  SES bounces and complaints (EventBridge events from aws.ses)
A route (for the local system) is allowed; it is not deployed."""
from chalice import Chalice

app = Chalice(app_name="hubcycle-scheduler")


@app.route("/health")
def health():
    return {"ok": True}


@app.lambda_function(name="on_schedule")
def on_schedule(event, context):
    return {"handled": event}


@app.lambda_function(name="sweep")
def sweep(event, context):
    return {}


@app.on_cw_event({"source": ["aws.ses"]}, name="on_ses_event")
def on_ses_event(event):
    return {}
