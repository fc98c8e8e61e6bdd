"""The admin function: what hub managers, producers and distributors use to run order cycles.
Thin handlers: read the request, call a use case of hubcycle.services, answer (api-v1)."""
import warnings
from functools import wraps

from chalice import Chalice, CognitoUserPoolAuthorizer, Response
from chalice.app import Authorizer

from hubcycle.errors import NotFound
from hubcycle.services import auth
from hubcycle.settings import settings
from hubcycle.web import LazyModule, StorefrontCORS, answers_errors, chalice_refusals_in_contract_shape, json_response, parse_body

app = Chalice(app_name="hubcycle-admin", configure_logs=False)  # powertools Logger logs
app.register_middleware(chalice_refusals_in_contract_shape, "http")

# Loaded by the first route that uses them: a manager's first request (the list of their
# enterprises) needs none of them, nor the domain models they load.
catalogue = LazyModule("hubcycle.services.catalogue")
customers = LazyModule("hubcycle.services.customers")
enterprises = LazyModule("hubcycle.services.enterprises")
order_cycles = LazyModule("hubcycle.services.order_cycles")
cycle_editor = LazyModule("hubcycle.services.cycle_editor")
orders = LazyModule("hubcycle.services.orders")
reports = LazyModule("hubcycle.services.reports")
reminders = LazyModule("hubcycle.services.reminders")

MAX_PATH_PARAMETER = 254
"""Ids are at most 64 characters and emails 254: anything longer names nothing."""


class ManagersAuthorizer(Authorizer):
    """API Gateway's Cognito user pool authorizer for the managers' pool, rendered exactly as
    CognitoUserPoolAuthorizer renders it. Not that class itself: Chalice's local gateway decodes
    that one's token on its own and drops the connection on a malformed token, where API Gateway
    answers 401. Where no authorizer stands in front, the app verifies the token itself
    (hubcycle.adapters.cognito), so the local system enforces what AWS enforces."""

    def __init__(self, name: str, provider_arns: list[str]):
        self.name = name
        self.scopes: list[str] = []
        self._cognito = CognitoUserPoolAuthorizer(name, provider_arns=provider_arns)

    def to_swagger(self) -> dict:
        return self._cognito.to_swagger()


managers = ManagersAuthorizer("hubcycle-managers", provider_arns=[settings().user_pool_arn])
# Chalice's local gateway warns that it admits every request to this authorizer; the app does not.
warnings.filterwarnings("ignore", message="ManagersAuthorizer is not a supported in local mode")


# The console calls this API from the storefront's origin with a bearer token, never a cookie:
# allowing that origin exposes nothing a script elsewhere could not ask with the same token.
console_cors = StorefrontCORS(allow_headers=["Authorization", "Content-Type", "Idempotency-Key"], max_age=600)


def route(path: str, method: str, status: int = 200):
    """A route of the admin API: behind the managers' authorizer, the caller's claims checked here,
    the signed-in manager passed first, domain errors answered in the contract's shape."""

    def register(view):
        @app.route(path, methods=[method], authorizer=managers, cors=console_cors)
        @wraps(view)
        @answers_errors
        def handler(**params):
            caller = auth.caller(app.current_request)
            if any(len(value) > MAX_PATH_PARAMETER for value in params.values()):
                raise NotFound("Nothing has such an id.")
            answer = view(caller, **params)
            if answer is None:
                return Response(body="", status_code=204)
            if isinstance(answer, Response):  # a download (CSV)
                return answer
            return json_response(answer, status=status)

        return handler

    return register


def body(model):
    return parse_body(app.current_request, model)


def query(model):
    return model.model_validate(dict(app.current_request.query_params or {}))


@app.route("/health")
def health():
    return {"service": "admin", "ok": True}


@route("/openapi.json", "GET")
def openapi(caller):
    """This API's OpenAPI document, generated from its routes and models."""
    from hubcycle.openapi import document  # imports every model: built only when asked for

    return document(app, "hubcycle admin API", __doc__)


# --- Enterprises


@route("/enterprises", "POST", status=201)
def create_enterprise(caller):
    return enterprises.create(caller, body(enterprises.NewEnterprise))


@route("/enterprises", "GET")
def list_enterprises(caller):
    return caller.managed_enterprises()


@route("/enterprises/search", "GET")
def find_enterprises(caller):
    return enterprises.find(caller, query(enterprises.DirectoryQuery))


@route("/enterprises/{enterprise_id}", "GET")
def read_enterprise(caller, enterprise_id):
    return enterprises.read(caller, enterprise_id)


@route("/enterprises/{enterprise_id}", "PATCH")
def change_enterprise(caller, enterprise_id):
    return enterprises.change(caller, enterprise_id, body(enterprises.EnterpriseChanges))


@route("/enterprises/{enterprise_id}/managers", "POST", status=201)
def add_manager(caller, enterprise_id):
    return enterprises.add_manager(caller, enterprise_id, body(enterprises.NewManager))


@route("/enterprises/{enterprise_id}/managers/{email}", "DELETE")
def remove_manager(caller, enterprise_id, email):
    return enterprises.remove_manager(caller, enterprise_id, email)


@route("/enterprises/{enterprise_id}/uploads", "POST", status=201)
def upload_image(caller, enterprise_id):
    return enterprises.upload(caller, enterprise_id, body(enterprises.NewUpload))


@route("/enterprises/{enterprise_id}/permissions", "GET")
def list_permissions(caller, enterprise_id):
    return enterprises.permissions(caller, enterprise_id)


@route("/enterprises/{enterprise_id}/permissions/{grantee_id}", "PUT")
def grant_permission(caller, enterprise_id, grantee_id):
    return enterprises.grant(caller, enterprise_id, grantee_id, body(enterprises.Abilities))


@route("/enterprises/{enterprise_id}/permissions/{grantee_id}", "DELETE")
def withdraw_permission(caller, enterprise_id, grantee_id):
    return enterprises.withdraw(caller, enterprise_id, grantee_id)


@route("/enterprises/{enterprise_id}/granted-to-me", "GET")
def granted_to_me(caller, enterprise_id):
    return enterprises.granted_to_me(caller, enterprise_id)


@route("/enterprises/{enterprise_id}/shipping-methods", "POST", status=201)
def add_shipping_method(caller, enterprise_id):
    return enterprises.add_shipping_method(caller, enterprise_id, body(enterprises.NewShippingMethod))


@route("/enterprises/{enterprise_id}/shipping-methods", "GET")
def list_shipping_methods(caller, enterprise_id):
    return enterprises.shipping_methods(caller, enterprise_id)


@route("/enterprises/{enterprise_id}/shipping-methods/{method_id}", "PATCH")
def change_shipping_method(caller, enterprise_id, method_id):
    return enterprises.change_method(caller, "shipping", enterprise_id, method_id,
                                     body(enterprises.ShippingMethodChanges))


@route("/enterprises/{enterprise_id}/shipping-methods/{method_id}", "DELETE")
def delete_shipping_method(caller, enterprise_id, method_id):
    return enterprises.delete_method(caller, "shipping", enterprise_id, method_id)


@route("/enterprises/{enterprise_id}/payment-methods", "POST", status=201)
def add_payment_method(caller, enterprise_id):
    return enterprises.add_payment_method(caller, enterprise_id, body(enterprises.NewPaymentMethod))


@route("/enterprises/{enterprise_id}/payment-methods", "GET")
def list_payment_methods(caller, enterprise_id):
    return enterprises.payment_methods(caller, enterprise_id)


@route("/enterprises/{enterprise_id}/payment-methods/{method_id}", "PATCH")
def change_payment_method(caller, enterprise_id, method_id):
    return enterprises.change_method(caller, "payment", enterprise_id, method_id, body(enterprises.PaymentMethodChanges))


@route("/enterprises/{enterprise_id}/payment-methods/{method_id}", "DELETE")
def delete_payment_method(caller, enterprise_id, method_id):
    return enterprises.delete_method(caller, "payment", enterprise_id, method_id)


# --- Catalogue and fees


@route("/enterprises/{enterprise_id}/products", "POST", status=201)
def create_product(caller, enterprise_id):
    return catalogue.create_product(caller, enterprise_id, body(catalogue.NewProduct))


@route("/enterprises/{enterprise_id}/products", "GET")
def list_products(caller, enterprise_id):
    return catalogue.products(caller, enterprise_id)


@route("/products/{product_id}", "GET")
def read_product(caller, product_id):
    return catalogue.product(caller, product_id)


@route("/products/{product_id}", "PATCH")
def change_product(caller, product_id):
    return catalogue.change_product(caller, product_id, body(catalogue.ProductChanges))


@route("/products/{product_id}", "DELETE")
def delete_product(caller, product_id):
    return catalogue.delete_product(caller, product_id)


@route("/products/{product_id}/variants", "POST", status=201)
def add_variant(caller, product_id):
    return catalogue.add_variant(caller, product_id, body(catalogue.NewVariant))


@route("/variants/{variant_id}", "PATCH")
def change_variant(caller, variant_id):
    return catalogue.change_variant(caller, variant_id, body(catalogue.VariantChanges))


@route("/variants/{variant_id}", "DELETE")
def delete_variant(caller, variant_id):
    return catalogue.delete_variant(caller, variant_id)


@route("/enterprises/{enterprise_id}/fees", "POST", status=201)
def create_fee(caller, enterprise_id):
    return catalogue.create_fee(caller, enterprise_id, body(catalogue.NewFee))


@route("/enterprises/{enterprise_id}/fees", "GET")
def list_fees(caller, enterprise_id):
    return catalogue.fees(caller, enterprise_id)


@route("/enterprises/{enterprise_id}/fees/{fee_id}", "PATCH")
def change_fee(caller, enterprise_id, fee_id):
    return catalogue.change_fee(caller, enterprise_id, fee_id, body(catalogue.FeeChanges))


@route("/enterprises/{enterprise_id}/fees/{fee_id}", "DELETE")
def delete_fee(caller, enterprise_id, fee_id):
    return catalogue.delete_fee(caller, enterprise_id, fee_id)


# --- Customers


@route("/enterprises/{enterprise_id}/customers", "GET")
def list_customers(caller, enterprise_id):
    return customers.customers(caller, enterprise_id)


@route("/enterprises/{enterprise_id}/customers", "POST", status=201)
def add_customer(caller, enterprise_id):
    return customers.add(caller, enterprise_id, body(customers.NewCustomer))


@route("/enterprises/{enterprise_id}/customers/{email}/tags", "PUT")
def tag_customer(caller, enterprise_id, email):
    return customers.tag(caller, enterprise_id, email, body(customers.CustomerTags))


# --- Order cycles


@route("/order-cycles", "POST", status=201)
def create_order_cycle(caller):
    return order_cycles.create(caller, body(order_cycles.NewOrderCycle))


@route("/order-cycles", "GET")
def list_order_cycles(caller):
    return order_cycles.listing(caller, query(order_cycles.ListingQuery))


@route("/order-cycles/{cycle_id}", "GET")
def read_order_cycle(caller, cycle_id):
    return order_cycles.read(caller, cycle_id)


@route("/order-cycles/{cycle_id}/editor", "GET")
def order_cycle_editor(caller, cycle_id):
    return cycle_editor.editor(caller, cycle_id, query(cycle_editor.EditorQuery))


@route("/order-cycles/{cycle_id}", "PATCH")
def change_order_cycle(caller, cycle_id):
    return order_cycles.change(caller, cycle_id, body(order_cycles.OrderCycleChanges))


@route("/order-cycles/{cycle_id}", "DELETE")
def delete_order_cycle(caller, cycle_id):
    return order_cycles.delete(caller, cycle_id)


@route("/order-cycles/{cycle_id}/incoming/{supplier_id}", "PUT")
def put_incoming(caller, cycle_id, supplier_id):
    return order_cycles.put_incoming(caller, cycle_id, supplier_id, body(order_cycles.IncomingChanges))


@route("/order-cycles/{cycle_id}/incoming/{supplier_id}", "DELETE")
def remove_incoming(caller, cycle_id, supplier_id):
    return order_cycles.remove_exchange(caller, cycle_id, "incoming", supplier_id)


@route("/order-cycles/{cycle_id}/outgoing/{distributor_id}", "PUT")
def put_outgoing(caller, cycle_id, distributor_id):
    return order_cycles.put_outgoing(caller, cycle_id, distributor_id, body(order_cycles.OutgoingChanges))


@route("/order-cycles/{cycle_id}/outgoing/{distributor_id}", "DELETE")
def remove_outgoing(caller, cycle_id, distributor_id):
    return order_cycles.remove_exchange(caller, cycle_id, "outgoing", distributor_id)


@route("/order-cycles/{cycle_id}/duplicate", "POST", status=201)
def duplicate_order_cycle(caller, cycle_id):
    return order_cycles.duplicate(caller, cycle_id)


@route("/order-cycles/{cycle_id}/notify-producers", "POST")
def notify_producers(caller, cycle_id):
    return order_cycles.notify_producers(caller, cycle_id)


@route("/order-cycles/{cycle_id}/reminders", "GET")
def reminder_counts(caller, cycle_id):
    return reminders.counts(caller, cycle_id)


# --- Orders


@route("/order-cycles/{cycle_id}/orders", "GET")
def list_orders(caller, cycle_id):
    return orders.listing(caller, cycle_id, query(orders.OrderQuery))


@route("/order-cycles/{cycle_id}/orders", "POST", status=201)
def take_order(caller, cycle_id):
    return orders.take(caller, cycle_id, body(orders.PhoneOrder), app.current_request.headers.get("idempotency-key"))


@route("/order-cycles/{cycle_id}/orders/bulk", "POST")
def mark_orders(caller, cycle_id):
    return orders.mark_many(caller, cycle_id, body(orders.BulkChanges))


@route("/orders/{order_id}", "GET")
def read_order(caller, order_id):
    return orders.read(caller, order_id)


@route("/orders/{order_id}", "PATCH")
def change_order(caller, order_id):
    return orders.change(caller, order_id, body(orders.OrderChanges))


@route("/orders/{order_id}/cancel", "POST")
def cancel_order(caller, order_id):
    return orders.cancel(caller, order_id)


# --- Reports


@route("/order-cycles/{cycle_id}/reports/{name}", "GET")
def report(caller, cycle_id, name):
    answer = reports.report(caller, cycle_id, name, query(reports.ReportQuery))
    if isinstance(answer, reports.Download):
        return Response(body=answer.body, status_code=200, headers=answer.headers)
    return answer
