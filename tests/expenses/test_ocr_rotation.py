"""The page turned in two bands on two threads gives Pillow's own rotation (see rotation.py)."""

import numpy as np
import pytest
from PIL import Image

from expenses.ocr.rotation import rotate_expanded


def _page(width: int, height: int) -> Image.Image:
    # Dark strokes on paper: what deskewing turns.
    rng = np.random.default_rng(7)
    pixels = np.full((height, width), 250, dtype=np.uint8)
    for _ in range(400):
        x, y = int(rng.integers(0, width - 40)), int(rng.integers(0, height - 12))
        pixels[y : y + int(rng.integers(2, 12)), x : x + int(rng.integers(2, 40))] = int(rng.integers(0, 120))
    return Image.fromarray(pixels)


@pytest.mark.parametrize(("size", "angle"), [((1443, 853), 1.25), ((861, 1559), -3.5), ((640, 401), 7.75), ((3, 2), 0.5)])
def test_the_banded_rotation_gives_pillows_pixels(size, angle):
    page = _page(*size) if size[0] > 40 else Image.new("L", size, 128)

    banded = rotate_expanded(page, angle, Image.BICUBIC, 255)
    whole = page.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)

    assert banded.size == whole.size
    assert banded.mode == whole.mode
    difference = np.abs(np.asarray(banded, dtype=np.int16) - np.asarray(whole, dtype=np.int16))
    # Only the band offset's floating-point rounding may differ: a grey level, on a rare pixel.
    assert difference.max() <= 1
    assert np.count_nonzero(difference) <= 2
    # The turn is real: the corners are filled paper.
    assert np.asarray(banded)[0, 0] == 255
