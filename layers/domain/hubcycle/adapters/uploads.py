"""Images uploaded by managers (logos, product photos) go straight from the browser to S3 with a
presigned POST: the file never passes through the function, and S3 itself refuses a file of
another type or larger than announced (the POST policy's conditions)."""
from __future__ import annotations

from hubcycle.adapters.aws import client
from hubcycle.settings import settings

EXPIRES_SECONDS = 600
CACHE_CONTROL = "public, max-age=31536000, immutable"
"""Every upload has a key of its own, never overwritten: browsers and CloudFront may keep it."""


def presigned_upload(key: str, content_type: str, size: int) -> dict:
    """`url` and `fields` of the form to POST (the file last, as `file`), and `image_url`, where
    the image is served once uploaded."""
    config = settings()
    post = client("s3").generate_presigned_post(
        Bucket=config.uploads_bucket,
        Key=key,
        Fields={"Content-Type": content_type, "Cache-Control": CACHE_CONTROL},
        Conditions=[{"Content-Type": content_type}, {"Cache-Control": CACHE_CONTROL}, ["content-length-range", 1, size]],
        ExpiresIn=EXPIRES_SECONDS,
    )
    return {"url": post["url"], "fields": post["fields"], "image_url": f"{config.uploads_url.rstrip('/')}/{key}"}
