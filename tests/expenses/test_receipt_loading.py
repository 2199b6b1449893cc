"""Opening uploaded receipt files: content sniffing, limits, refusals, orientation, previews."""

import io
import struct
import zlib

import pytest
from PIL import Image

from expenses.ocr.loading import ReceiptFileError, load_receipt, make_preview, make_thumbnail, sniff_mime


def receipt_image(size=(300, 500)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    image.paste((0, 0, 0), (20, 20, 200, 40))
    return image


def encoded(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (never decoded by a safe loader)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + png_chunk(b"IEND", b"")
    )


def pdf_bytes(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A6
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A6)
    for number in range(pages):
        pdf.drawString(20, 200, f"Receipt page {number + 1} total 1100")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def assert_refused(source, code: str) -> ReceiptFileError:
    with pytest.raises(ReceiptFileError) as caught:
        load_receipt(source)
    assert caught.value.code == code
    message = str(caught.value.message)
    assert message  # a translated, user-facing sentence
    assert any("\u3040" <= ch <= "\u9fff" for ch in message)  # Japanese
    return caught.value


# -- refusals ------------------------------------------------------------------------------------


def test_zero_bytes(tmp_path):
    assert_refused(write(tmp_path, "empty.jpg", b""), "empty")


def test_truncated_jpeg(tmp_path):
    data = encoded(receipt_image((800, 1200)), "JPEG", quality=95)
    assert_refused(write(tmp_path, "cut.jpg", data[: len(data) // 2]), "corrupt")


def test_non_image_named_jpg(tmp_path):
    assert_refused(write(tmp_path, "receipt.jpg", b"This is not an image at all\n" * 10), "unsupported_type")


def test_svg_is_refused(tmp_path):
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    assert_refused(write(tmp_path, "receipt.png", svg), "unsupported_type")


def test_sixty_megabyte_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.jpg"
    with path.open("wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0")
        handle.truncate(60 * 1024 * 1024)  # sparse: cheap to create
    error = assert_refused(path, "too_large")
    assert "20" in str(error.message)


def test_oversized_stream_is_refused(tmp_path):
    stream = io.BytesIO(b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024))
    with pytest.raises(ReceiptFileError) as caught:
        load_receipt(stream, max_bytes=1024 * 1024)
    assert caught.value.code == "too_large"


def test_hundred_megapixel_bomb_is_refused_before_decoding(tmp_path):
    path = write(tmp_path, "bomb.png", png_bomb(10_000, 10_000))
    assert path.stat().st_size < 10_000
    assert_refused(path, "too_many_pixels")


def test_gigapixel_header_hits_pillows_own_guard_cleanly(tmp_path):
    assert_refused(write(tmp_path, "giga.png", png_bomb(50_000, 50_000)), "too_many_pixels")


def test_pdf_with_hundreds_of_pages(tmp_path):
    assert_refused(write(tmp_path, "many.pdf", pdf_bytes(300)), "too_many_pages")


def test_corrupt_pdf(tmp_path):
    assert_refused(write(tmp_path, "bad.pdf", b"%PDF-1.7\n garbage garbage garbage"), "corrupt")


# -- accepted files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "name", "mime"),
    [
        ("JPEG", "a.bin", "image/jpeg"),
        ("PNG", "a.jpg", "image/png"),  # the name lies; the content decides
        ("WEBP", "a.png", "image/webp"),
    ],
)
def test_good_images(tmp_path, fmt, name, mime):
    loaded = load_receipt(write(tmp_path, name, encoded(receipt_image(), fmt)))
    assert loaded.mime == mime
    assert (loaded.width, loaded.height) == (300, 500)
    assert loaded.image.mode in ("RGB", "L")


def test_png_with_alpha_is_flattened_on_white(tmp_path):
    image = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    loaded = load_receipt(write(tmp_path, "a.png", encoded(image, "PNG")))
    assert loaded.image.mode == "RGB"
    assert loaded.image.getpixel((10, 10)) == (255, 255, 255)


def test_jpeg_dpi_is_reported(tmp_path):
    loaded = load_receipt(write(tmp_path, "a.jpg", encoded(receipt_image(), "JPEG", dpi=(300, 300))))
    assert loaded.dpi == (300.0, 300.0)


def test_exif_orientation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    loaded = load_receipt(write(tmp_path, "phone.jpg", encoded(receipt_image((300, 500)), "JPEG", exif=exif)))
    assert (loaded.width, loaded.height) == (500, 300)


def test_heic(tmp_path):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    loaded = load_receipt(write(tmp_path, "IMG_0001.HEIC", encoded(receipt_image(), "HEIF")))
    assert loaded.mime in ("image/heic", "image/heif")
    assert (loaded.width, loaded.height) == (300, 500)


def test_pdf_first_page_is_rendered(tmp_path):
    loaded = load_receipt(write(tmp_path, "receipt.pdf", pdf_bytes(2)))
    assert loaded.mime == "application/pdf"
    assert loaded.dpi is not None and 200 <= loaded.dpi[0] <= 300
    # A6 is 105 x 148 mm: at 200-300 dpi that is roughly 830-1240 px wide.
    assert 800 <= loaded.width <= 1300
    assert loaded.height > loaded.width


def test_sniff_mime():
    assert sniff_mime(b"\xff\xd8\xff\xe1....") == "image/jpeg"
    assert sniff_mime(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_mime(b"\x00\x00\x00\x18ftypheic\x00\x00") == "image/heic"
    assert sniff_mime(b"GIF89a") is None


def test_thumbnail_and_preview_are_jpeg_within_bounds():
    image = receipt_image((1200, 3000))
    thumb = Image.open(io.BytesIO(make_thumbnail(image)))
    preview = Image.open(io.BytesIO(make_preview(image)))
    assert thumb.format == preview.format == "JPEG"
    assert max(thumb.size) == 320
    assert max(preview.size) == 1600
    assert image.size == (1200, 3000)  # the original is untouched
