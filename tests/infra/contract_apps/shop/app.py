"""Contract fixture (tests/infra): the least a shop app does that the stack relies on. Not deployed.

CORS is configured from HUBCYCLE_STOREFRONT_ORIGIN, read when the module is imported: infra/synth.py
imports the app with a placeholder origin and puts the storefront's CloudFront origin in its place."""
import os

from chalice import Chalice, CORSConfig

app = Chalice(app_name="hubcycle-shop")
app.api.cors = CORSConfig(
    allow_origin=os.environ.get("HUBCYCLE_STOREFRONT_ORIGIN", "*"),
    allow_headers=["Idempotency-Key"],
)


@app.route("/shops")
def shops():
    return []


@app.route("/shops/{shop_id}/cycles/{cycle_id}/orders", methods=["POST"])
def place_order(shop_id, cycle_id):
    return {}
