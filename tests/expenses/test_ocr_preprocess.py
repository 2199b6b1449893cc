"""Preprocessing helpers: exactly what the slower library call gives, and what they change on the page."""

import numpy as np
from PIL import Image, ImageFilter

from expenses.ocr.preprocess import erase_rulings, invert_banners, median3, skew_angle


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


def _banner_page(slope: float, right_end: float = 20.0) -> np.ndarray:
    """Paper with a black banner 60 px tall from x=100 to 500 (its top rising by `slope` per px),
    lettered in white; its ground shades evenly from 20 at the left end to `right_end`."""
    page = np.full((400, 600), 250.0, dtype=np.float32)
    for x in range(100, 500):
        top = 100 + int((x - 100) * slope)
        page[top : top + 60, x] = 20.0 + (right_end - 20.0) * (x - 100) / 400
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


def test_a_banner_paler_at_one_end_is_inverted_whole():
    """
    GIVEN: a photo lit from one side: the banner is near black at its left end and twice as light as
    the level that finds a banner's core at its right end (0.5 of the paper's level)
    WHEN: banners are inverted on the raw photo
    THEN: the whole banner is inverted, its pale end and that end's lettering included
    """
    page = _banner_page(slope=0.0, right_end=125.0)

    out = invert_banners(page, 28, raw=True)

    assert out[110, 150] > 200 and out[110, 480] > 120  # the ground, left end and pale right end
    assert out[130, 145] < 50 and out[130, 465] < 50  # the lettering at both ends


def test_an_inverted_banner_leaves_no_dark_frame_around_it():
    """
    GIVEN: a banner whose edge is blurred, as in any photo (grey between the banner and the paper)
    WHEN: it is inverted
    THEN: its edge becomes paper, not a grey frame that reads as "|" and "ー" beside the name
    """
    page = np.asarray(Image.fromarray(_banner_page(slope=0.0).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1)))
    page = page.astype(np.float32)

    out = invert_banners(page, 28)

    assert out[110, 300] > 200  # the ground
    assert out[97:104, 150:450].min() > 200  # the top edge
    assert out[157:163, 150:450].min() > 200  # the bottom edge
    assert out[104:118, 97:104].min() > 200  # the left end


def test_a_blank_page_is_not_turned_by_the_deskew():
    # Every angle levels no lines on a page without ink: the smallest turn, none, wins the tie.
    assert skew_angle(np.full((200, 300), 255.0, dtype=np.float32)) == 0.0


def test_erasing_rulings_keeps_glyphs_and_removes_long_thin_rules():
    image = Image.new("L", (300, 120), 255)
    image.paste(0, (10, 20, 290, 22))  # a horizontal rule
    image.paste(0, (150, 10, 152, 110))  # a vertical rule
    image.paste(0, (40, 50, 60, 80))  # a glyph-sized blot

    cleaned = np.asarray(erase_rulings(image))

    assert cleaned[21, 100] == 255 and cleaned[60, 151] == 255
    assert cleaned[65, 50] == 0
