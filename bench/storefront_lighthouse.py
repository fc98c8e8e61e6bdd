"""Issue 14: the storefront as a shopper's phone gets it. A hub with 200 products (300 variants),
each with its photo and the photo's smaller copies in the local uploads bucket (served by the embedded AWS's S3 as CloudFront
serves it on AWS), then Lighthouse (npm `lighthouse`, pinned in package.json; Debian's Chromium
through CHROME_PATH) on the shop page with its mobile profile: the performance and accessibility
scores, the cumulative layout shift, and the bytes of a first visit before any photo.

Run alone: `.venv/bin/python bench/storefront_lighthouse.py` (after `make storefront`, which runs `npm ci`)."""
from __future__ import annotations

import base64
import json
import os
import subprocess
from datetime import datetime, timedelta, timezone

from harness import ROOT, EmbeddedAWS, figure, main, section

from hubcycle import images
from hubcycle.adapters.aws import client
from hubcycle.adapters.uploads import CACHE_CONTROL
from hubcycle.enterprises import Enterprise, PaymentMethod, ShippingMethod
from hubcycle.local.system import LocalSystem, Ports
from hubcycle.order_cycles import IncomingExchange, OrderCycle, OutgoingExchange
from hubcycle.products import Offer, Product, Variant
from hubcycle.repository import keys
from hubcycle.repository.base import to_item
from hubcycle.repository.catalogue import CatalogueRepository
from hubcycle.repository.enterprises import EnterpriseRepository
from hubcycle.repository.order_cycles import OrderCycleRepository
from hubcycle.settings import settings

HUB, CYCLE = "hub", "lighthouse"
PRODUCERS, PRODUCTS_EACH = 10, 20
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility")


PHOTOS = 20
"""Distinct photos made; each product gets one under its own key (no two URLs alike)."""
COPY_WIDTHS = (320, 640)
_MAKE_PHOTOS = """async ([count, widths]) => {
  const base64 = async (blob) => {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  };
  const big = document.createElement("canvas");
  big.width = 1600; big.height = 1200;
  const g = big.getContext("2d");
  const photos = [];
  for (let n = 0; n < count; n++) {
    let seed = n * 7919 + 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const light = g.createLinearGradient(0, 0, 1600, 1200);
    light.addColorStop(0, `hsl(${(n * 37) % 360} 55% 60%)`);
    light.addColorStop(1, `hsl(${(n * 37 + 90) % 360} 45% 30%)`);
    g.fillStyle = light;
    g.fillRect(0, 0, 1600, 1200);
    for (let i = 0; i < 500; i++) {
      g.fillStyle = `hsl(${random() * 360} ${30 + random() * 50}% ${20 + random() * 60}% / 0.7)`;
      g.beginPath(); g.arc(random() * 1600, random() * 1200, 4 + random() * 70, 0, 7); g.fill();
    }
    const grain = g.getImageData(0, 0, 1600, 1200);
    for (let i = 0; i < grain.data.length; i += 4) {
      const k = (random() - 0.5) * 36;
      grain.data[i] += k; grain.data[i + 1] += k; grain.data[i + 2] += k;
    }
    g.putImageData(grain, 0, 0);
    const photo = {original: await base64(await new Promise((r) => big.toBlob(r, "image/jpeg", 0.9)))};
    for (const width of widths) {
      const copy = document.createElement("canvas");
      copy.width = width; copy.height = width * 3 / 4;
      const c = copy.getContext("2d");
      c.imageSmoothingQuality = "high";
      c.drawImage(big, 0, 0, copy.width, copy.height);
      photo[width] = await base64(await new Promise((r) => copy.toBlob(r, "image/webp", 0.8)));
    }
    photos.push(photo);
  }
  return photos;
}"""


def photos() -> list[dict]:
    """Photo stand-ins as a phone uploads them and the console copies them (console/src/images.js):
    a 1600 × 1200 JPEG with detail and grain (~780 KB), WebP copies 320 and 640 px wide (~13 and ~44
    KB, as measured on real photos), made by Chromium's own encoders. {"original", 320, 640}: bytes."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = chromium.new_page()
        made = page.evaluate(_MAKE_PHOTOS, [PHOTOS, list(COPY_WIDTHS)])
        chromium.close()
    return [{int(k) if k.isdigit() else k: base64.b64decode(v) for k, v in photo.items()} for photo in made]


def upload(s3, bucket: str, enterprise_id: str, upload_id: str, photo: dict) -> str:
    """The photo and its copies stored as the console's upload stores them; the original's key."""
    stem = images.stem(enterprise_id, upload_id)
    for width in COPY_WIDTHS:
        s3.put_object(Bucket=bucket, Key=images.copy_key(stem, width, "image/webp"), Body=photo[width],
                      ContentType="image/webp", CacheControl=CACHE_CONTROL)
    key = images.original_key(stem, "image/jpeg", [(width, "image/webp") for width in COPY_WIDTHS])
    s3.put_object(Bucket=bucket, Key=key, Body=photo["original"], ContentType="image/jpeg", CacheControl=CACHE_CONTROL)
    return key


def build_shop(now: datetime) -> None:
    config, s3 = settings(), client("s3")
    enterprises, catalogue = EnterpriseRepository(), CatalogueRepository()
    made = photos()
    enterprises.create(Enterprise(id=HUB, name="Croix-Rousse Food Hub", kind="hub", email="hub@example.org",
                                  timezone="Europe/Paris", owner_email="ann@example.org",
                                  description="Fresh food from farms around Lyon, every week.",
                                  address="3 Mill Lane, 69004 Lyon", phone="+33 4 78 00 00 00"))
    enterprises.add_shipping_method(ShippingMethod(id="pickup", enterprise_id=HUB, name="Pickup at the barn"))
    enterprises.add_shipping_method(ShippingMethod(id="delivery", enterprise_id=HUB, name="Home delivery", pickup=False,
                                                   fee="4.50"))
    enterprises.add_payment_method(PaymentMethod(id="cash", enterprise_id=HUB, name="Cash at pickup"))
    incoming, offers, names = [], [], {}
    for p in range(PRODUCERS):
        producer = f"farm-{p:02d}"
        names[producer] = f"Farm {p:02d}"
        enterprises.create(Enterprise(id=producer, name=names[producer], kind="profile", is_producer=True,
                                      email=f"{producer}@example.org", owner_email=f"owner@{producer}.example.org"))
        own = []
        for n in range(PRODUCTS_EACH):
            product_id = f"{producer}-p{n:02d}"
            key = upload(s3, config.uploads_bucket, producer, f"{p * PRODUCTS_EACH + n:016x}", made[n % PHOTOS])
            about = {"product_name": f"Vegetable {n:02d} of farm {p:02d}", "unit": "kg",
                     "product_description": "Grown without pesticides, picked the day before.",
                     "category": ("Vegetables", "Fruit", "Dairy", "Bakery")[n % 4],
                     "image_url": f"{os.environ['HUBCYCLE_UPLOADS_URL']}/{key}"}
            variants = [Variant(id=f"{product_id}-v{v}", product_id=product_id, supplier_id=producer, name=f"{v + 1} kg",
                                unit_value=v + 1, price=f"{2 + v * 3}.{n % 10}0", on_hand=3 + n, **about)
                        for v in range(1 + n % 2)]
            catalogue.create_product(Product(id=product_id, supplier_id=producer, name=about["product_name"], unit="kg",
                                             description=about["product_description"], category=about["category"],
                                             image_url=about["image_url"], variants=variants))
            own += [v.id for v in variants]
            offers += [Offer(**v.model_dump(), supplier_name=names[producer], offered_in=[CYCLE]) for v in variants]
        incoming.append(IncomingExchange(supplier_id=producer, variant_ids=own))
    cycle = OrderCycle(id=CYCLE, coordinator_id=HUB, name="Week 48", opens_at=now - timedelta(days=1),
                       closes_at=now + timedelta(days=2), incoming=incoming,
                       outgoing=[OutgoingExchange(distributor_id=HUB, variant_ids=[o.id for o in offers],
                                                  ready_for="Saturday 9-12")])
    cycles = OrderCycleRepository()
    cycles.create(cycle)
    # The offers are written directly: sync_offers copies them one transaction per 50, which moto
    # makes slow (a table snapshot each), and what is measured here is the shop's page.
    cycles.batch_write(puts=[to_item(o, PK=keys.order_cycle(CYCLE), SK=keys.offer(o.id)) for o in offers])


def audit(url: str) -> dict:
    command = [str(LIGHTHOUSE), url, "--output=json", "--quiet", "--form-factor=mobile",
               f"--only-categories={','.join(CATEGORIES)}", "--chrome-flags=--headless --no-sandbox --disable-gpu"]
    answer = subprocess.run(command, check=True, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"})
    return json.loads(answer.stdout)


def run(aws: EmbeddedAWS) -> None:
    section("storefront on a phone: 200 products with photos, Lighthouse mobile")
    if not LIGHTHOUSE.exists():
        figure("storefront.lighthouse", "not measured: run `npm ci` first (lighthouse is a devDependency)")
        return
    aws.reset()
    with LocalSystem(Ports.free(), embedded_aws=aws.endpoint, run_scheduler=False) as system:
        build_shop(datetime.now(timezone.utc))
        report = audit(f"{system.storefront_url}/#/shops/{HUB}/cycles/{CYCLE}")
    for name in CATEGORIES:
        figure(f"storefront.lighthouse.{name}", report["categories"][name]["score"])
    figure("storefront.lighthouse.cumulative_layout_shift", round(report["audits"]["cumulative-layout-shift"]["numericValue"], 4))
    for metric in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "speed-index"):
        figure(f"storefront.lighthouse.{metric.replace('-', '_')}_ms", round(report["audits"][metric]["numericValue"]))
    requests = report["audits"]["network-requests"]["details"]["items"]
    before_photos = sum(r.get("transferSize", 0) for r in requests if r.get("resourceType") != "Image")
    figure("storefront.first_visit_kb_before_photos", round(before_photos / 1024, 1))
    photos_loaded = [r for r in requests if r.get("resourceType") == "Image"]
    figure("storefront.photos_loaded_on_first_screen", len(photos_loaded))
    figure("storefront.photos_kb_on_first_screen", round(sum(r.get("transferSize", 0) for r in photos_loaded) / 1024, 1))
    failing = sorted(a["id"] for a in report["audits"].values() if a.get("score") is not None and a["score"] < 0.9
                     and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    figure("storefront.lighthouse.below_0_9", ", ".join(failing) or "none")


if __name__ == "__main__":
    main(lambda aws: None, run)
