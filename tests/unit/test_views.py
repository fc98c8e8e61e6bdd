"""The views' defaults (hubcycle.repository.views) are the models' own: a view of an item written
before a field existed shows what the model would."""
import pytest

from hubcycle.enterprises import Enterprise, PaymentMethod, ShippingMethod
from hubcycle.repository import keys, views

REQUIRED = {
    Enterprise: {"id": "hub", "name": "Hub", "kind": "hub", "email": "hub@example.org", "owner_email": "a@example.org"},
    ShippingMethod: {"id": "s", "enterprise_id": "hub", "name": "Pickup"},
    PaymentMethod: {"id": "p", "enterprise_id": "hub", "name": "Cash"},
}


@pytest.mark.parametrize("model, defaults", [(Enterprise, views.ENTERPRISE), (ShippingMethod, views.SHIPPING_METHOD),
                                             (PaymentMethod, views.PAYMENT_METHOD)])
def test_a_views_defaults_are_its_models(model, defaults):
    shown = model(**REQUIRED[model]).model_dump(mode="json")
    assert defaults == {name: shown[name] for name, field in model.model_fields.items() if not field.is_required()}


def test_a_view_of_an_item_lacking_fields_equals_the_models_answer():
    stored = {"PK": keys.enterprise("hub"), "SK": keys.ENTERPRISE_SK, **REQUIRED[Enterprise]}
    assert views.view_of(stored, views.ENTERPRISE) == Enterprise(**REQUIRED[Enterprise]).model_dump(mode="json")
    assert views.view_of(stored, views.ENTERPRISE)["manager_emails"] is not views.ENTERPRISE["manager_emails"]
