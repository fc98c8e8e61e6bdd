"""Photos at the size a screen shows them (issue 14), in Chromium against the local system: a
producer uploads a photo in the console, which makes its smaller copies in the browser and uploads
them beside it; a shopper's phone (360 px) then loads the 320 px copy; a photo uploaded before
copies existed still shows, as it is. The storefront's script is served bundled and minified."""
from __future__ import annotations

import struct
import urllib.request
import zlib

import pytest
from playwright.sync_api import expect
from test_console_orders import FARMER, signed_in

from hubcycle.adapters.aws import client
from hubcycle.local.demo import HUB, load_demo
from hubcycle.local.demo_week import call
from hubcycle.local.storefront_server import STOREFRONT
from hubcycle.settings import settings

pytestmark = pytest.mark.browser


def png(width: int, height: int) -> bytes:
    """A photo stand-in: an opaque PNG with a gradient and stripes, so its copies have something to show."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in ((x * 255) // width, (y * 255) // height, 90 if (x // 40) % 2 else 200))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")


def loaded(img) -> dict:
    """The file the browser chose for a lazy image, once it has come (scrolled to, then waited
    for), and that file's own size (`naturalWidth` is scaled by the srcset's `w` descriptor)."""
    img.scroll_into_view_if_needed()
    img.page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    return img.evaluate("""(img) => new Promise((resolve) => {
      const file = new Image();
      file.onload = () => resolve({src: img.currentSrc, width: file.naturalWidth, height: file.naturalHeight});
      file.src = img.currentSrc;
    })""")


def test_a_photo_uploaded_in_the_console_reaches_a_phone_as_its_small_copy(browser, local_system, aws):
    load_demo(local_system)
    admin, s3, bucket = local_system.admin_url, client("s3"), settings().uploads_bucket
    farm_id = next(e["id"] for e in call(admin, "GET", "/enterprises", email=FARMER) if e["is_producer"])
    products = {p["name"]: p for p in call(admin, "GET", f"/enterprises/{farm_id}/products", email=FARMER)}

    # The producer gives the carrots a photo (1200 × 900) from the console.
    manager = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
    manager.set_default_timeout(10_000)
    console = signed_in(manager.new_page(), local_system.console_url, FARMER, f"enterprises/{farm_id}/products")
    console.locator('[data-testid="bulk-row"]', has_text="Carottes").get_by_role("link", name="Carottes").first.click()
    console.get_by_label("Photo").set_input_files(files=[{"name": "carottes.png", "mimeType": "image/png", "buffer": png(1200, 900)}])
    expect(console.get_by_role("img", name="Photo of Carottes")).to_be_visible()
    expect(console.get_by_test_id("image-copies")).to_have_text("Smaller copies for phones: 320 / 640 px wide.")
    console.get_by_role("button", name="Save").click()
    expect(console.get_by_test_id("bulk-row").first).to_be_visible()
    manager.close()

    # Storage holds the photo and, beside it, the copies its address names.
    stored = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"uploads/{farm_id}/")["Contents"]}
    (original,) = [key for key in stored if key.endswith(".png")]
    stem = original.removesuffix(".320w-webp.640w-webp.png")
    assert sorted(stored) == sorted([original, f"{stem}.320w.webp", f"{stem}.640w.webp"])
    assert stored[f"{stem}.320w.webp"] < stored[f"{stem}.640w.webp"] < stored[original]
    assert call(admin, "GET", f"/products/{products['Carottes']['id']}", email=FARMER)["image_url"].endswith(original)

    # The potatoes' photo was uploaded before copies existed: no copies, shown as it is.
    older = f"uploads/{farm_id}/0123456789abcdef.png"
    s3.put_object(Bucket=bucket, Key=older, Body=png(400, 300), ContentType="image/png")
    call(admin, "PATCH", f"/products/{products['Pommes de terre']['id']}",
         {"image_url": f"{settings().uploads_url}/{older}"}, email=FARMER)

    phone = browser.new_context(locale="en-GB", timezone_id="Europe/Paris", viewport={"width": 360, "height": 740})
    phone.set_default_timeout(10_000)
    shop = phone.new_page()
    shop.goto(f"{local_system.storefront_url}/")
    shop.get_by_test_id("shop-link").filter(has_text=HUB["name"]).click()
    carrots = loaded(shop.locator('[data-testid="product"]', has_text="Carottes").locator("img"))
    assert carrots == {"src": f"{settings().uploads_url}/{stem}.320w.webp", "width": 320, "height": 240}
    potatoes = loaded(shop.locator('[data-testid="product"]', has_text="Pommes de terre").locator("img"))
    assert potatoes == {"src": f"{settings().uploads_url}/{older}", "width": 400, "height": 300}
    phone.close()


def test_the_storefront_script_is_served_bundled_and_minified(local_system):
    with urllib.request.urlopen(f"{local_system.storefront_url}/app.js", timeout=10) as answer:
        script = answer.read().decode()
    sources = sum(len(f.read_bytes()) for f in (STOREFRONT.parents[1] / "storefront").glob("*.js"))
    assert len(script.splitlines()) < 10 and len(script) < 0.8 * sources
    assert "import " not in script and "DICTIONARIES" not in script  # one file: i18n.js and shared/ are inside
