"""The shop function: the public API the storefront calls."""
from chalice import Chalice

app = Chalice(app_name="hubcycle-shop")


@app.route("/health")
def health():
    return {"service": "shop", "ok": True}
