"""Preprocessing helpers that must give exactly what the slower library call gives."""

import numpy as np
from PIL import Image, ImageFilter

from expenses.ocr.preprocess import median3


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
