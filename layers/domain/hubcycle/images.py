"""Uploaded images and their smaller copies. The console scales a photo down in the browser (a
canvas) and uploads the copies beside the original. The original's name lists its copies
(`uploads/{enterprise}/{id}.320w-webp.640w-webp.jpg`, copies `{id}.320w.webp`, `{id}.640w.webp`),
so the address that names an image (a product's `image_url`, copied into every offer; an
enterprise's `logo_url`) says which copies exist with no other field to keep in step: an image
uploaded before copies existed, or an address from elsewhere, has none and is shown as it is.
No pydantic here: the shop's first reads use it."""
from __future__ import annotations

import re

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_EXTENSION = "|".join(EXTENSIONS.values())
_WITH_COPIES = re.compile(rf"(?P<stem>uploads/[^/]+/[0-9a-f]+)(?P<copies>(?:\.[0-9]+w-(?:{_EXTENSION}))+)\.(?:{_EXTENSION})")
_COPY = re.compile(rf"\.([0-9]+)w-({_EXTENSION})")


def stem(enterprise_id: str, upload_id: str) -> str:
    return f"uploads/{enterprise_id}/{upload_id}"


def original_key(stem_: str, content_type: str, copies: list[tuple[int, str]]) -> str:
    """`copies`: (width, content type) of each copy, narrowest first."""
    listed = "".join(f".{width}w-{EXTENSIONS[kind]}" for width, kind in copies)
    return f"{stem_}{listed}.{EXTENSIONS[content_type]}"


def copy_key(stem_: str, width: int, content_type: str) -> str:
    return f"{stem_}.{width}w.{EXTENSIONS[content_type]}"


def copies(image_url: str, uploads_url: str) -> list[dict]:
    """The smaller copies of the image at `image_url`, narrowest first: [{`width`, `url`}]; none
    when it was not uploaded here with copies (the shop then shows `image_url` itself)."""
    prefix = uploads_url.rstrip("/") + "/"
    found = _WITH_COPIES.fullmatch(image_url[len(prefix):]) if image_url.startswith(prefix) else None
    if found is None:
        return []
    return [{"width": int(width), "url": f"{prefix}{found['stem']}.{width}w.{extension}"}
            for width, extension in _COPY.findall(found["copies"])]
