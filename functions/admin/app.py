"""The admin function: what hub managers, producers and distributors use to run order cycles."""
from chalice import Chalice

app = Chalice(app_name="hubcycle-admin")


@app.route("/health")
def health():
    return {"service": "admin", "ok": True}
