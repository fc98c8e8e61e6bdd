"""Contract fixture (tests/infra): the least an admin app does that the stack relies on. Not deployed.

Every route but /health uses a Cognito user-pool authorizer; whatever its name and provider ARN,
infra/synth.py points it at the stack's user pool."""
from chalice import Chalice, CognitoUserPoolAuthorizer

app = Chalice(app_name="hubcycle-admin")
managers = CognitoUserPoolAuthorizer(
    "HubManagers", provider_arns=["arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_placeholder"]
)


@app.route("/health")
def health():
    return {"ok": True}


@app.route("/enterprises", methods=["GET", "POST"], authorizer=managers)
def enterprises():
    return []


@app.route("/order-cycles/{cycle_id}", methods=["GET", "PATCH", "DELETE"], authorizer=managers)
def order_cycle(cycle_id):
    return {}
