"""Open an uploaded receipt safely: sniff the type from content, enforce limits, fix orientation.

Nothing here trusts the file name or the client's Content-Type. Every refusal is a
ReceiptFileError with a stable `code` (for logs and the API) and a Japanese message for the user.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DEFAULT_MAX_PDF_PAGES = 50
PDF_DPI = 250
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

# Refuse truncated files instead of silently decoding a grey half-image.
ImageFile.LOAD_TRUNCATED_IMAGES = False


class ReceiptFileError(Exception):
    def __init__(self, code: str, message: object) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class LoadedReceipt:
    image: Image.Image
    mime: str
    width: int
    height: int
    dpi: tuple[float, float] | None
    size_bytes: int


def sniff_mime(head: bytes) -> str | None:
    """Detect the file type from its first bytes (magic numbers)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "image/heic" if head[8:12] in {b"heic", b"heix", b"hevc", b"hevx"} else "image/heif"
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    return None


def read_limited(source: str | Path | BinaryIO, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 so an oversized upload is refused without loading it all."""
    if isinstance(source, str | Path):
        path = Path(source)
        if path.stat().st_size > max_bytes:
            raise _too_large(max_bytes)
        data = path.read_bytes()
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


def _too_large(max_bytes: int) -> ReceiptFileError:
    return ReceiptFileError(
        "too_large", _("ファイルが大きすぎます（上限 %(mb)d MB）。") % {"mb": max_bytes // (1024 * 1024)}
    )


def _too_many_pixels() -> ReceiptFileError:
    return ReceiptFileError(
        "too_many_pixels", _("画像の解像度が大きすぎます。縮小してからアップロードしてください。")
    )


def _corrupt() -> ReceiptFileError:
    return ReceiptFileError("corrupt", _("画像ファイルが壊れているか、途中で切れています。"))


def load_receipt(
    source: str | Path | BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_pdf_pages: int = DEFAULT_MAX_PDF_PAGES,
) -> LoadedReceipt:
    data = read_limited(source, max_bytes)
    if not data:
        raise ReceiptFileError("empty", _("ファイルが空です。"))
    mime = sniff_mime(data[:1024])
    if mime is None:
        raise ReceiptFileError(
            "unsupported_type",
            _(
                "対応していないファイル形式です。JPEG・PNG・WebP・HEIC・PDF のいずれかをアップロードしてください。"
            ),
        )
    if mime == "application/pdf":
        image, dpi = _render_pdf(data, max_pixels=max_pixels, max_pages=max_pdf_pages)
    else:
        image, dpi = _decode_image(data, mime, max_pixels=max_pixels)
    return LoadedReceipt(image, mime, image.width, image.height, dpi, len(data))


def _decode_image(
    data: bytes, mime: str, *, max_pixels: int
) -> tuple[Image.Image, tuple[float, float] | None]:
    if mime in ("image/heic", "image/heif"):
        from pillow_heif import register_heif_opener

        register_heif_opener()
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns between 1x and 2x MAX_IMAGE_PIXELS; treat it as an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            # Image.open only parses the header: refuse huge canvases before any pixel is decoded.
            if image.width * image.height > max_pixels:
                raise _too_many_pixels()
            image.load()
    except ReceiptFileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _corrupt() from exc
    dpi = image.info.get("dpi")
    dpi_pair = (float(dpi[0]), float(dpi[1])) if dpi else None
    try:
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError):
        pass  # a broken EXIF block is no reason to refuse a readable image
    return _normalise_mode(image), dpi_pair


def _render_pdf(data: bytes, *, max_pixels: int, max_pages: int) -> tuple[Image.Image, tuple[float, float]]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReceiptFileError(
            "corrupt", _("PDF ファイルを開けません。壊れているかパスワードで保護されています。")
        ) from exc
    try:
        # pdfium reads pages lazily: counting them does not parse their content.
        pages = len(pdf)
        if pages == 0:
            raise ReceiptFileError("corrupt", _("PDF にページがありません。"))
        if pages > max_pages:
            raise ReceiptFileError(
                "too_many_pages", _("PDF のページ数が多すぎます（上限 %(n)d ページ）。") % {"n": max_pages}
            )
        page = pdf[0]
        width_pt, height_pt = page.get_size()
        scale = PDF_DPI / 72
        if width_pt * height_pt * scale * scale > max_pixels:
            scale = (max_pixels / (width_pt * height_pt)) ** 0.5
        if width_pt * scale < 1 or height_pt * scale < 1:
            raise _too_many_pixels()
        image = page.render(scale=scale).to_pil()
        page.close()
    except pdfium.PdfiumError as exc:
        raise ReceiptFileError(
            "corrupt", _("PDF ファイルを開けません。壊れているかパスワードで保護されています。")
        ) from exc
    finally:
        pdf.close()
    dpi = round(scale * 72, 1)
    return _normalise_mode(image), (dpi, dpi)


def _normalise_mode(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _jpeg_bytes(image: Image.Image, max_side: int, quality: int) -> bytes:
    copy = _normalise_mode(image).copy()
    copy.thumbnail((max_side, max_side), Image.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def make_thumbnail(image: Image.Image, max_side: int = 320) -> bytes:
    return _jpeg_bytes(image, max_side, quality=80)


def make_preview(image: Image.Image, max_side: int = 1600) -> bytes:
    """Orientation-corrected (the loader already applied EXIF) preview for reviewers."""
    return _jpeg_bytes(image, max_side, quality=85)
