"""Shared helpers for receipt tests: real sample images and upload objects."""

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "receipts"


def sample_upload(name: str = "0002.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (SAMPLES / name).read_bytes(), content_type="image/jpeg")


def png_upload(name: str = "photo.png", size=(400, 600), color=(250, 250, 250)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def turned_upload(name: str = "0004.jpg", degrees: int = 90) -> SimpleUploadedFile:
    """A sample receipt turned counter-clockwise, as a JPEG with no EXIF orientation to say so."""
    buffer = io.BytesIO()
    with Image.open(SAMPLES / name) as image:
        image.rotate(degrees, expand=True).save(buffer, format="JPEG", quality=92)
    return SimpleUploadedFile(f"turned-{name}", buffer.getvalue(), content_type="image/jpeg")
