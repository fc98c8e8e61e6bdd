"""The events API Gateway hands the functions on AWS, for tests that invoke a handler as Lambda
does rather than through Chalice's test client."""
from __future__ import annotations


def gateway_event(resource: str, parameters: dict | None = None, headers: dict | None = None,
                  claims: dict | None = None) -> dict:
    """API Gateway's REST proxy event for a GET; `claims` as its Cognito authorizer passes them."""
    path = resource.format(**(parameters or {}))
    headers = {"Host": "api.example.org", **(headers or {})}
    return {
        "resource": resource, "path": path, "httpMethod": "GET", "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": None,
        "multiValueQueryStringParameters": None, "pathParameters": parameters, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": "GET", "path": f"/api{path}", "stage": "api",
                           "identity": {"sourceIp": "192.0.2.1"}, "requestId": "test",
                           **({"authorizer": {"claims": claims}} if claims else {})},
        "body": None, "isBase64Encoded": False,
    }
