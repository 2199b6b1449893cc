"""Turning a page image, in two bands on two threads.

Pillow's bicubic transform of a whole page takes about 30 ms on one core (a seventh of the time the
pipeline spends outside Tesseract), and Pillow releases the GIL while it resamples. Each output pixel
depends only on its own coordinates, so the page is turned in two horizontal bands at once: about
19 ms. The pixels are those of one `Image.rotate(angle, expand=True)` but for the rounding of the
band's offset in floating point: over the 360 dev and perturbed receipts, 4 pages had one pixel one
grey level apart, and every reading was the same.
"""

from __future__ import annotations

import math

from PIL import Image

from expenses.ocr.together import together


def _expanded_affine(size: tuple[int, int], angle: float) -> tuple[tuple[int, int], tuple[float, ...]]:
    """The output size and the output-to-input affine matrix of a counter-clockwise turn by `angle`
    degrees about the image's centre, the canvas grown to hold the whole turned image (as Pillow's
    rotate with expand=True computes them)."""
    width, height = size
    radians = -math.radians(angle)
    cos, sin = round(math.cos(radians), 15), round(math.sin(radians), 15)

    def apply(x: float, y: float, c: float, f: float) -> tuple[float, float]:
        return cos * x + sin * y + c, -sin * x + cos * y + f

    # Turn about the centre: shift it to the origin, turn, shift it back.
    c, f = apply(-width / 2.0, -height / 2.0, 0.0, 0.0)
    c, f = c + width / 2.0, f + height / 2.0
    corners = [apply(x, y, c, f) for x, y in ((0, 0), (width, 0), (width, height), (0, height))]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    new_width = math.ceil(max(xs)) - math.floor(min(xs))
    new_height = math.ceil(max(ys)) - math.floor(min(ys))
    c, f = apply(-(new_width - width) / 2.0, -(new_height - height) / 2.0, c, f)
    return (new_width, new_height), (cos, sin, c, -sin, cos, f)


def rotate_expanded(image: Image.Image, angle: float, resample: Image.Resampling, fill: int) -> Image.Image:
    """`image.rotate(angle, resample=resample, expand=True, fillcolor=fill)`, in bands on two threads."""
    (width, height), (a, b, c, d, e, f) = _expanded_affine(image.size, angle)
    cut = height // 2

    def band(top: int, bottom: int) -> Image.Image:
        # The band's row y is the page's row top + y.
        matrix = (a, b, b * top + c, d, e, e * top + f)
        return image.transform((width, bottom - top), Image.AFFINE, matrix, resample, fillcolor=fill)

    upper, lower = together(lambda: band(0, cut), lambda: band(cut, height))
    out = Image.new(image.mode, (width, height))
    out.paste(upper, (0, 0))
    out.paste(lower, (0, cut))
    return out
