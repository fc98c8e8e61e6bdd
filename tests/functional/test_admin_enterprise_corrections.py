"""api-v1 1.1 corrections on enterprises, through HTTP as each role: managers (invitations,
removal), permissions (withdrawal, granted-to-me, finding by name), the profile's new fields,
shipping and payment methods (edit, delete)."""
from __future__ import annotations

import base64
import json
import urllib.request

from admin_fixtures import ADD, armed, people  # noqa: F401
from hubcycle import images
from hubcycle.adapters.aws import client
from hubcycle.settings import settings

PROFILE = {"description": "Fresh from the valley", "address": "1 Main Street, Lyon", "phone": "+33 4 00 00 00 00",
           "logo_url": "https://cdn.example.org/logo.png"}


def sign_in(aws, email: str, password: str) -> dict:
    return client("cognito-idp").admin_initiate_auth(
        UserPoolId=aws.user_pool_id, ClientId=aws.user_pool_client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password})


def test_an_invited_manager_gets_the_pools_email_signs_in_and_finds_the_enterprise(people, aws, mailbox, admin_app):
    ann = people("ann@example.org")
    hub = ann.enterprise("Green Hub")
    answer = ann.post(f"/enterprises/{hub}/managers", {"email": "New.Person@Example.org"}).ok(201)
    assert answer["invitation"] == "sent" and "new.person@example.org" in answer["manager_emails"]
    (mail,) = [m for m in mailbox() if m["to"] == ["new.person@example.org"]]
    assert mail["subject"] == "Your temporary password"
    temporary = mail["text"].split("temporary password is ")[1].strip().rstrip(".")
    challenge = sign_in(aws, "new.person@example.org", temporary)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    newcomer = people("new.person@example.org")
    assert [e["id"] for e in newcomer.get("/enterprises").ok()] == [hub]
    again = ann.post(f"/enterprises/{hub}/managers", {"email": "new.person@example.org"}).ok(201)
    assert (again["invitation"], again["manager_emails"]) == ("existing_account", ["new.person@example.org"])


def test_inviting_someone_with_an_account_only_adds_them(people, mailbox):
    ann, bob = people("ann@example.org"), people("bob@example.org")
    hub = ann.enterprise("Green Hub")
    assert ann.post(f"/enterprises/{hub}/managers", {"email": bob.email}).ok(201)["invitation"] == "existing_account"
    assert not [m for m in mailbox() if m["to"] == [bob.email]]
    assert [e["id"] for e in bob.get("/enterprises").ok()] == [hub]


def test_removing_managers_never_the_last_one(people):
    ann, bob, eve = people("ann@example.org"), people("bob@example.org"), people("eve@example.org")
    hub = ann.enterprise("Green Hub")
    ann.post(f"/enterprises/{hub}/managers", {"email": bob.email}).ok(201)
    assert eve.delete(f"/enterprises/{hub}/managers/{bob.email}").error(403)
    assert ann.delete(f"/enterprises/{hub}/managers/eve@example.org").error(404)["code"] == "manager_not_found"
    assert ann.delete(f"/enterprises/nope/managers/{bob.email}").status == 404
    assert bob.delete(f"/enterprises/{hub}/managers/ann%40example.org").status == 204
    assert ann.get(f"/enterprises/{hub}").status == 403
    left = bob.get(f"/enterprises/{hub}").ok()
    assert (left["owner_email"], left["manager_emails"]) == (bob.email, [])
    assert bob.delete(f"/enterprises/{hub}/managers/{bob.email}").error(409)["code"] == "last_manager"


def test_withdrawing_every_ability_and_what_was_granted_to_me(people):
    ann, paul, eve = people("ann@example.org"), people("paul@example.org"), people("eve@example.org")
    hub = ann.enterprise("Green Hub")
    farm = paul.enterprise("Farm", "profile", is_producer=True)
    dairy = eve.enterprise("Dairy", "profile", is_producer=True)
    paul.grant(farm, hub, ADD, "manage_products")
    eve.grant(dairy, hub, "edit_profile")
    assert ann.get(f"/enterprises/{hub}/granted-to-me").ok() == [
        {"enterprise_id": dairy, "name": "Dairy", "abilities": ["edit_profile"]},
        {"enterprise_id": farm, "name": "Farm", "abilities": [ADD, "manage_products"]},
    ]
    assert eve.get(f"/enterprises/{hub}/granted-to-me").status == 403
    assert ann.delete(f"/enterprises/{farm}/permissions/{hub}").status == 403
    assert paul.delete(f"/enterprises/{farm}/permissions/{hub}").status == 204
    assert [g["enterprise_id"] for g in ann.get(f"/enterprises/{hub}/granted-to-me").ok()] == [dairy]
    assert paul.delete(f"/enterprises/{farm}/permissions/unknown").status == 404


def test_finding_enterprises_by_name_shows_only_what_is_public(people):
    ann, paul = people("ann@example.org"), people("paul@example.org")
    ann.enterprise("Marché de la Croix-Rousse", email="secret@example.org")
    farm = paul.enterprise("Ferme des Monts", "profile", is_producer=True)
    found = paul.get("/enterprises/search?name=MARCHE%20de").ok()
    assert [set(f) for f in found] == [{"id", "name", "kind", "is_producer"}]
    assert found[0]["name"] == "Marché de la Croix-Rousse"
    assert ann.get("/enterprises/search?name=ferme").ok() == [
        {"id": farm, "name": "Ferme des Monts", "kind": "profile", "is_producer": True}]
    assert ann.get("/enterprises/search?name=f").error(422)["field"] == "name"
    paul.patch(f"/enterprises/{farm}", {"name": "La Ferme"}).ok()
    assert ann.get("/enterprises/search?name=ferme").ok() == []


def test_the_profile_fields_by_managers_and_edit_profile_grantees(people):
    ann, paul, eve = people("ann@example.org"), people("paul@example.org"), people("eve@example.org")
    hub = ann.enterprise("Green Hub")
    farm = paul.enterprise("Farm", "profile", is_producer=True)
    paul.grant(farm, hub, "edit_profile")
    assert ann.patch(f"/enterprises/{farm}", PROFILE).ok() | PROFILE == paul.get(f"/enterprises/{farm}").ok()
    assert eve.patch(f"/enterprises/{farm}", {"phone": "1"}).status == 403
    # edit_profile is the profile only: not the managers, the methods, the grants, the products
    assert ann.post(f"/enterprises/{farm}/managers", {"email": eve.email}).status == 403
    assert ann.delete(f"/enterprises/{farm}/managers/{paul.email}").status == 403
    assert ann.post(f"/enterprises/{farm}/shipping-methods", {"name": "Van"}).status == 403
    assert ann.delete(f"/enterprises/{farm}/permissions/{hub}").status == 403
    assert ann.get(f"/enterprises/{farm}/granted-to-me").status == 403
    assert ann.post(f"/enterprises/{farm}/products", {"name": "P", "unit": "kg", "variants": [
        {"name": "V", "unit_value": "1", "price": "1.00", "on_hand": 1}]}).status == 403
    assert ann.post(f"/enterprises/{farm}/uploads", {"content_type": "image/webp", "size": 10}).status == 201
    assert paul.patch(f"/enterprises/{farm}", {"logo_url": "javascript:alert(1)"}).error(422)["field"] == "logo_url"


def test_editing_and_deleting_methods(people):
    ann, eve = people("ann@example.org"), people("eve@example.org")
    hub = ann.enterprise("Green Hub")
    ship = ann.post(f"/enterprises/{hub}/shipping-methods", {"name": "Pickup"}).ok(201)["id"]
    pay = ann.post(f"/enterprises/{hub}/payment-methods", {"name": "Transfer"}).ok(201)["id"]
    changed = ann.patch(f"/enterprises/{hub}/shipping-methods/{ship}",
                        {"pickup": False, "fee": "4.00", "description": "Tuesdays"}).ok()
    assert (changed["name"], changed["pickup"], changed["fee"], changed["description"]) == ("Pickup", False, "4.00", "Tuesdays")
    assert ann.patch(f"/enterprises/{hub}/payment-methods/{pay}", {"description": "IBAN FR76 0000"}).ok()["description"] == "IBAN FR76 0000"
    assert ann.patch(f"/enterprises/{hub}/payment-methods/{pay}", {"colour": "red"}).error(422)["field"] == "colour"
    assert eve.patch(f"/enterprises/{hub}/payment-methods/{pay}", {"name": "Mine"}).status == 403
    assert eve.delete(f"/enterprises/{hub}/payment-methods/{pay}").status == 403
    assert ann.patch(f"/enterprises/{hub}/payment-methods/{ship}", {"name": "x"}).error(404)["code"] == "payment_method_not_found"
    assert ann.delete(f"/enterprises/{hub}/payment-methods/{pay}").status == 204
    assert ann.delete(f"/enterprises/{hub}/payment-methods/{pay}").status == 404
    assert ann.get(f"/enterprises/{hub}/payment-methods").ok() == []
    assert [m["description"] for m in ann.get(f"/enterprises/{hub}/shipping-methods").ok()] == ["Tuesdays"]


def multipart(fields: dict, content: bytes) -> tuple[bytes, str]:
    boundary = "hubcycle-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="logo.png"\r\n'
                 f"Content-Type: image/png\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_an_image_is_uploaded_to_s3_and_served_where_the_answer_says(people):
    ann, paul, eve = people("ann@example.org"), people("paul@example.org"), people("eve@example.org")
    hub = ann.enterprise("Green Hub")
    farm = paul.enterprise("Farm", "profile", is_producer=True)
    paul.grant(farm, hub, "manage_products")
    assert eve.post(f"/enterprises/{farm}/uploads", {"content_type": "image/png", "size": 10}).status == 403
    assert ann.post(f"/enterprises/{farm}/uploads", {"content_type": "image/gif", "size": 10}).error(422)["field"] == "content_type"
    assert ann.post(f"/enterprises/{farm}/uploads", {"content_type": "image/png", "size": 5 * 1024 * 1024 + 1}).error(422)["field"] == "size"
    assert ann.post("/enterprises/unknown/uploads", {"content_type": "image/png", "size": 10}).status == 404
    image = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    form = ann.post(f"/enterprises/{farm}/uploads", {"content_type": "image/png", "size": len(image)}).ok(201)
    assert form["image_url"].endswith(".png") and f"/uploads/{farm}/" in form["image_url"]
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))  # what S3 enforces (moto does not)
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert ["content-length-range", 1, len(image)] in policy["conditions"]
    body, content_type = multipart(form["fields"], image)
    request = urllib.request.Request(form["url"], data=body, headers={"Content-Type": content_type}, method="POST")
    assert urllib.request.urlopen(request, timeout=10).status in (200, 201, 204)
    with urllib.request.urlopen(form["image_url"], timeout=10) as served:
        assert served.read() == image
    assert paul.patch(f"/enterprises/{farm}", {"logo_url": form["image_url"]}).ok()["logo_url"] == form["image_url"]


def test_smaller_copies_are_uploaded_beside_the_image_whose_address_names_them(people):
    paul = people("paul@example.org")
    farm = paul.enterprise("Farm", "profile", is_producer=True)
    copies = [{"width": 640, "content_type": "image/webp", "size": 20}, {"width": 320, "content_type": "image/jpeg", "size": 10}]
    form = paul.post(f"/enterprises/{farm}/uploads", {"content_type": "image/png", "size": 40, "copies": copies}).ok(201)
    assert form["image_url"].endswith(".320w-jpg.640w-webp.png")
    assert [(c["width"], c["image_url"].rsplit(".", 2)[1:]) for c in form["copies"]] == [(320, ["320w", "jpg"]), (640, ["640w", "webp"])]
    for copy, size, kind in ((form["copies"][0], 10, "image/jpeg"), (form["copies"][1], 20, "image/webp")):
        policy = json.loads(base64.b64decode(copy["fields"]["policy"]))
        assert {"Content-Type": kind} in policy["conditions"] and ["content-length-range", 1, size] in policy["conditions"]
        body, content_type = multipart(copy["fields"], b"c" * size)
        request = urllib.request.Request(copy["url"], data=body, headers={"Content-Type": content_type}, method="POST")
        assert urllib.request.urlopen(request, timeout=10).status in (200, 201, 204)
        with urllib.request.urlopen(copy["image_url"], timeout=10) as served:
            assert served.read() == b"c" * size and "immutable" in served.headers["Cache-Control"]
    # What the shop derives from the address alone (products' `image_copies`, logos' `logo_copies`).
    uploads_url = settings().uploads_url
    assert images.copies(form["image_url"], uploads_url) == [{"width": c["width"], "url": c["image_url"]} for c in form["copies"]]
    plain = paul.post(f"/enterprises/{farm}/uploads", {"content_type": "image/png", "size": 40}).ok(201)
    assert plain["copies"] == [] and images.copies(plain["image_url"], uploads_url) == []
    assert images.copies("https://img.example.org/uploads/farm/0a.320w-jpg.png", uploads_url) == []

    one = {"content_type": "image/png", "size": 40}
    twice = [{"width": 320, "content_type": "image/webp", "size": 5}] * 2
    assert paul.post(f"/enterprises/{farm}/uploads", one | {"copies": twice}).error(422)["field"] == "copies"
    too_big = [{"width": 320, "content_type": "image/webp", "size": 5 * 1024 * 1024 + 1}]
    assert paul.post(f"/enterprises/{farm}/uploads", one | {"copies": too_big}).error(422)["field"] == "copies.0.size"
    gif = [{"width": 320, "content_type": "image/gif", "size": 5}]
    assert paul.post(f"/enterprises/{farm}/uploads", one | {"copies": gif}).error(422)["field"] == "copies.0.content_type"
    assert paul.post(f"/enterprises/{farm}/uploads", one | {"copies": [{"width": 8, "content_type": "image/webp",
                                                                         "size": 5}]}).error(422)["field"] == "copies.0.width"
