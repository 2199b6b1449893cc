"""Preprocessing helpers: exactly what the slower library call gives, and what they change on the page."""

import numpy as np
from PIL import Image, ImageFilter

from expenses.ocr.preprocess import invert_banners, median3, skew_angle


def test_median3_matches_pils_median_filter_edges_included():
    """
    GIVEN: a noisy greyscale image with text-like dark strokes and extreme values at its edges
    WHEN: it is median-filtered by the sorting network
    THEN: every pixel, border rows and columns included, equals PIL's MedianFilter(3)
    """
    rng = np.random.default_rng(7)
    gray = rng.integers(150, 256, size=(61, 97), dtype=np.uint8)
    gray[20:24, 5:90] = rng.integers(0, 60, size=(4, 85), dtype=np.uint8)
    gray[0, :] = 0
    gray[:, -1] = 255
    gray[-1, ::2] = 0

    expected = np.asarray(Image.fromarray(gray).filter(ImageFilter.MedianFilter(3)))

    result = median3(gray)

    assert result.shape == gray.shape
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, expected)


def test_median3_removes_isolated_specks_and_keeps_strokes():
    gray = np.full((9, 9), 255, dtype=np.uint8)
    gray[2, 2] = 0  # a speck of sensor noise
    gray[4:7, 4:7] = 0  # a 3×3 blob survives at its centre

    result = median3(gray)

    assert result[2, 2] == 255
    assert result[5, 5] == 0
    assert result[0, 0] == 255


def _banner_page(slope: float) -> np.ndarray:
    """Paper with a black banner 60 px tall from x=100 to 500 (its top rising by `slope` per px),
    lettered in white."""
    page = np.full((400, 600), 250.0, dtype=np.float32)
    for x in range(100, 500):
        top = 100 + int((x - 100) * slope)
        page[top : top + 60, x] = 20.0
        if (x - 100) % 40 < 16:  # a white glyph stroke every 40 px
            page[top + 20 : top + 40, x] = 250.0
    return page


def test_a_white_on_black_banner_becomes_black_on_white():
    page = _banner_page(slope=0.0)

    out = invert_banners(page, 28)

    assert out[110, 300] > 200  # the banner's ground is paper-white now
    assert out[130, 145] < 50  # its white lettering is ink
    assert out[300, 300] == 250.0  # the rest of the page is untouched


def test_a_tilted_banner_is_inverted_without_its_bounding_boxs_corners():
    """On a tilted photo the banner's bounding box takes in paper at two corners: inverted, that
    paper would turn into black wedges that read as glyphs."""
    page = _banner_page(slope=0.05)

    out = invert_banners(page, 28)

    assert out[115, 300] > 200 and out[140, 300] < 50  # banner ground and lettering inverted
    assert out[175, 110] > 200  # paper below the banner's left end, inside its bounding box
    assert out[105, 490] > 200  # paper above its right end


def test_a_blank_page_is_not_turned_by_the_deskew():
    # Every angle levels no lines on a page without ink: the smallest turn, none, wins the tie.
    assert skew_angle(np.full((200, 300), 255.0, dtype=np.float32)) == 0.0
