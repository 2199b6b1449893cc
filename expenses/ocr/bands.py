"""Rows of print the page's reading missed.

Tesseract's block reading now and then drops a whole row: it merges it with the dashed rule below
into one "line" read as "ーー", or leaves it out. The 登録番号 under a shop's TEL line is a frequent
victim. The page's ink shows where print lies; rows of it that no line of the reading covers are
read again on their own.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image
from scipy import ndimage

from expenses.ocr.preprocess import TARGET_TEXT_HEIGHT
from expenses.ocr.text import OcrLine

# Glyphs that make a line real print (a rule read as "ーー" or two stray letters does not).
_GLYPH = re.compile(r"[0-9A-Za-z\u3040-\u30ff\u4e00-\u9fff]")
# A line of at most this many glyphs, spread over far more width than they fill, covers nothing.
FEW_GLYPHS = 3
MIN_GLYPHS_PER_HEIGHT = 0.25


def unread_bands(page: Image.Image, lines: list[OcrLine]) -> list[OcrLine]:
    """The boxes (as text-less lines) of the rows of print that no read line covers."""
    if not lines:
        return []
    # Only the text's columns: the photo's background beside the paper is dark in every row.
    left = max(0, min(line.left for line in lines))
    right = max(line.left + line.width for line in lines)
    ink = np.asarray(page.convert("L"))[:, left:right] < 128
    covered = np.zeros(ink.shape[0], dtype=bool)
    for line in lines:
        if _covers(line):
            covered[max(0, line.top) : line.top + line.height] = True
    # A row of print holds at least a few glyph strokes' worth of ink; a dotted rule is too thin.
    rows = ink.sum(axis=1) >= max(3, 0.01 * ink.shape[1])
    labels, _ = ndimage.label(rows)
    bands = []
    for (band,) in ndimage.find_objects(labels):
        top, height = band.start, band.stop - band.start
        if not 0.5 * TARGET_TEXT_HEIGHT <= height <= 2.5 * TARGET_TEXT_HEIGHT or covered[band].mean() > 0.3:
            continue
        columns = np.flatnonzero(ink[band].any(axis=0))
        start, stop = left + int(columns[0]), left + int(columns[-1]) + 1
        if stop - start >= 2 * height:
            bands.append(OcrLine("", None, top, start, height, stop - start, 0.0))
    return bands


def _covers(line: OcrLine) -> bool:
    glyphs = len(_GLYPH.findall(line.text.replace("ー", "")))
    return glyphs > FEW_GLYPHS or (glyphs > 0 and glyphs >= MIN_GLYPHS_PER_HEIGHT * line.width / max(1, line.height))
