"""The scheduler function: opens and closes order cycles when EventBridge says it is time."""
from chalice import Chalice

app = Chalice(app_name="hubcycle-scheduler")


@app.route("/health")
def health():
    return {"service": "scheduler", "ok": True}
