"""Authentication and authorization at the admin API's door (issue 3): a real id token of the
managers' pool, checked by the app itself as API Gateway's Cognito authorizer checks it."""
import base64
import gzip
import json
import time
from pathlib import Path

import jwt
import moto.cognitoidp
import pytest

from admin_fixtures import armed, people  # noqa: F401
from hubcycle.adapters.aws import client
from hubcycle.local.apps import LambdaContext, api_gateway_event, load_function

ANN = "ann@example.org"


def moto_signing_key():
    """moto signs every pool's tokens with this one key: a token signed with it passes the
    signature check, so only the claim under test can fail."""
    resource = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"
    return jwt.algorithms.RSAAlgorithm.from_jwk(gzip.decompress(resource.read_bytes()).decode())


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def resigned(token: str, **changes) -> str:
    return jwt.encode({**claims_of(token), **changes}, moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"})


@pytest.fixture
def ann(people):
    return people(ANN)


def refused(ann, token: str | None) -> dict:
    headers = {} if token is None else {"Authorization": token}
    response = ann.client.http.get("/enterprises", headers=headers)
    assert response.status_code == 401, response.body
    return json.loads(response.body)["error"]


def test_a_valid_token_identifies_the_manager_by_email(ann):
    created = ann.post("/enterprises", {"name": "Green Hub", "kind": "hub", "email": "hub@example.org"}).ok(201)
    assert created["owner_email"] == ANN
    assert [e["id"] for e in ann.get("/enterprises").ok()] == [created["id"]]


def test_a_bare_token_is_read_as_api_gateway_reads_it(ann):
    response = ann.client.http.get("/enterprises", headers={"Authorization": ann.token})
    assert response.status_code == 200


def test_no_token_is_401(ann):
    error = refused(ann, None)
    assert error["code"] == "unauthorized"
    assert "Bearer" in error["message"]


@pytest.mark.parametrize("header", ["Bearer", "Bearer nonsense", "Bearer a.b.c", "Basic dXNlcjpwYXNz"])
def test_a_malformed_token_is_401_never_a_dropped_connection(ann, header):
    assert refused(ann, header)["code"] == "unauthorized"


def test_a_bad_signature_is_401(ann):
    header, payload, signature = ann.token.split(".")
    forged = {**claims_of(ann.token), "email": "boss@example.org"}
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    assert refused(ann, f"Bearer {header}.{forged_payload}.{signature}")["code"] == "unauthorized"


def test_a_token_signed_by_another_key_is_401(ann):
    from cryptography.hazmat.primitives.asymmetric import rsa

    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims_of(ann.token), other_key, algorithm="RS256", headers={"kid": "dummy"})
    refused(ann, f"Bearer {token}")


def test_an_expired_token_is_401(ann):
    expired = resigned(ann.token, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    assert "expired" in refused(ann, f"Bearer {expired}")["message"]


def test_the_same_token_unexpired_passes(ann):
    """The control for the test above: re-signing alone does not make a token fail."""
    response = ann.client.http.get("/enterprises", headers={"Authorization": f"Bearer {resigned(ann.token)}"})
    assert response.status_code == 200


@pytest.mark.parametrize("verified", [False, "false", None])
def test_a_token_whose_email_is_not_verified_is_401(ann, verified):
    """Else a user could change their address to a manager's and act as that manager."""
    claims = {} if verified is None else {"email_verified": verified}
    token = resigned(ann.token, **claims) if verified is not None else jwt.encode(
        {k: v for k, v in claims_of(ann.token).items() if k != "email_verified"},
        moto_signing_key(), algorithm="RS256", headers={"kid": "dummy"})
    assert "not verified" in refused(ann, f"Bearer {token}")["message"]


def test_an_access_token_is_401(ann):
    refused(ann, f"Bearer {resigned(ann.token, token_use='access')}")


def test_a_token_for_another_pool_is_401(ann):
    cognito = client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="someone-else", UsernameAttributes=["email"])["UserPool"]
    app_client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="theirs", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        ReadAttributes=["email"],
    )["UserPoolClient"]
    cognito.admin_create_user(UserPoolId=pool["Id"], Username=ANN, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": ANN}])
    cognito.admin_set_user_password(UserPoolId=pool["Id"], Username=ANN, Password="Other-pool-9a!", Permanent=True)
    token = cognito.admin_initiate_auth(
        UserPoolId=pool["Id"], ClientId=app_client["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": ANN, "PASSWORD": "Other-pool-9a!"},
    )["AuthenticationResult"]["IdToken"]
    assert claims_of(token)["email"] == ANN
    refused(ann, f"Bearer {token}")


def test_a_token_for_another_app_client_of_the_pool_is_401(ann):
    refused(ann, f"Bearer {resigned(ann.token, aud='another-client')}")


@pytest.mark.parametrize("email", ["", "   ", 42, ["ann@example.org"], {"address": "ann@example.org"}])
def test_a_signed_token_whose_email_claim_is_empty_or_not_text_is_401(ann, email):
    """Issue 15: an empty email was taken as user "", a number or a list answered 500."""
    assert "no email" in refused(ann, f"Bearer {resigned(ann.token, email=email)}")["message"]


# --- Behind API Gateway: its Cognito authorizer verified the token and passes the claims


def through_api_gateway(token: str, claims: dict | None) -> tuple[int, dict | list]:
    """GET /enterprises as API Gateway invokes the function on AWS."""
    event = api_gateway_event("GET", "/enterprises", headers={"Authorization": f"Bearer {token}"}, claims=claims)
    response = load_function("admin").app(event, LambdaContext("hubcycle-admin"))
    return response["statusCode"], json.loads(response["body"])


def gateway_claims(token: str, **changes) -> dict:
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in {**claims_of(token), **changes}.items()}


def behind_api_gateway(monkeypatch) -> None:
    """As deployed (infra/synth.py sets it); verifying the token again would fail the test."""
    monkeypatch.setenv("HUBCYCLE_API_GATEWAY_VERIFIES_TOKENS", "true")
    monkeypatch.setattr("hubcycle.adapters.cognito.verify_id_token", lambda token: pytest.fail("verified again"))


def test_behind_api_gateway_the_authorizers_claims_identify_the_manager(ann, monkeypatch):
    created = ann.post("/enterprises", {"name": "Green Hub", "kind": "hub", "email": "hub@example.org"}).ok(201)
    behind_api_gateway(monkeypatch)
    status, answer = through_api_gateway("verified-by-api-gateway", gateway_claims(ann.token))
    assert status == 200 and [e["id"] for e in answer] == [created["id"]]


@pytest.mark.parametrize("changes, says", [
    ({"aud": "another-client"}, "managers' app"),
    ({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_other"}, "managers' app"),
    ({"token_use": "access"}, "id token"),
    ({"email_verified": False}, "not verified"),
    ({"email": ""}, "no email"),
])
def test_behind_api_gateway_claims_the_authorizer_does_not_check_are_checked(ann, monkeypatch, changes, says):
    behind_api_gateway(monkeypatch)
    status, answer = through_api_gateway("verified-by-api-gateway", gateway_claims(ann.token, **changes))
    assert status == 401 and says in answer["error"]["message"]


def test_without_an_authorizer_in_front_claims_in_the_event_are_ignored(ann):
    """The local system and the test client have no authorizer: only the token counts there."""
    forged = gateway_claims(ann.token, email="boss@example.org")
    status, answer = through_api_gateway("not-a-token", forged)
    assert status == 401 and answer["error"]["code"] == "unauthorized"
    status, _ = through_api_gateway(ann.token, forged)
    assert status == 200


def test_a_route_reached_without_the_authorizers_claims_still_verifies_the_token(ann, monkeypatch):
    monkeypatch.setenv("HUBCYCLE_API_GATEWAY_VERIFIES_TOKENS", "true")
    assert through_api_gateway("not-a-token", None)[0] == 401
    assert through_api_gateway(ann.token, None)[0] == 200


def test_every_admin_route_needs_a_token(admin_app):
    routes = load_function("admin").app.routes
    for path, methods in routes.items():
        if path == "/health":
            continue
        concrete = path.replace("{", "").replace("}", "")
        for method in methods:
            response = admin_app.http.request(method, concrete, headers={}, body=b"{}")
            assert response.status_code == 401, (method, path, response.body)


def test_acting_on_an_enterprise_one_does_not_manage_is_403(people):
    ann, bob = people(ANN), people("bob@example.org")
    hub = ann.enterprise("Green Hub")
    assert bob.get(f"/enterprises/{hub}").error(403)["code"] == "forbidden"
    assert bob.patch(f"/enterprises/{hub}", {"name": "Mine now"}).status == 403
    assert bob.post(f"/enterprises/{hub}/managers", {"email": "bob@example.org"}).status == 403
    assert bob.post(f"/enterprises/{hub}/fees", {
        "name": "Skim", "fee_type": "admin", "calculator": {"type": "flat_rate", "amount": "1.00"}}).status == 403
    assert bob.post("/order-cycles", {"coordinator_id": hub, "name": "Mine"}).status == 403
    assert ann.get(f"/enterprises/{hub}").ok()["name"] == "Green Hub"


def test_an_enterprise_that_does_not_exist_is_404_not_403(people):
    assert people(ANN).get("/enterprises/nope").error(404)["code"] == "enterprise_not_found"
