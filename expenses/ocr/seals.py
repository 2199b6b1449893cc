"""Red seals (印鑑, 社判) stamped across printed text.

A 領収書's issuer seal is often stamped over the end of the issuer's name. In greyscale its rim
and its own glyphs (the same name, set in a square) merge with the print, and the model drops or
garbles the name's last characters ("ホテル ミナ" for "ホテル ミナミ"). Seal ink is red and print is
black, so the seal can be lifted from the colour image; the page pass keeps the untouched image
(its layout and other fields do not depend on it) and only rows crossed by a seal are read again
without it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

# Redness (R − max(G, B)) that marks seal ink; a seal's core is far redder, print is near 0.
SEAL_CORE_REDNESS = 40
SEAL_INK_REDNESS = 30
# A seal is a frame (square or round) a few lines tall, mostly hollow: its ink covers a small
# share of the area its rim encloses. Red print (form rulings, a red shop name) fails these tests.
SEAL_MIN_SIDE_LINES = 2.5
SEAL_MAX_SIDE_LINES = 20
SEAL_MAX_ASPECT = 1.6
SEAL_MAX_INK_SHARE = 0.4
# Widest rim (pixels, at the photo's resolution) bridged where it crosses a printed stroke.
SEAL_RIM_BRIDGE = 3

# A word whose ink is nearly all seal ink is the seal's text. Print under a seal keeps a good part
# of its strokes black, however much of it the seal covers (a third or more).
SEAL_GLYPH_MIN_SHARE = 0.9

KEEP, LIFT, BRIDGE = 0, 1, 2


def seal_mask(rgb: Image.Image, text_px: float) -> np.ndarray | None:
    """Per pixel of `rgb`: LIFT where seal ink lies, BRIDGE where a dark stroke runs under the seal
    (so the covered glyph stays whole once the seal is lifted), KEEP elsewhere. None: no seal."""
    pixels = np.asarray(rgb)
    # Seals are found on a half-resolution copy (a quarter of the cost on the many pages without
    # one) and lifted at full resolution.
    labels, count = ndimage.label(_redness(pixels[::2, ::2]) > SEAL_CORE_REDNESS)
    if count == 0:
        return None
    mask: np.ndarray | None = None
    for index, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None or not _is_seal(labels[sl] == index, text_px / 2):
            continue
        if mask is None:
            mask = np.zeros(pixels.shape[:2], dtype=np.uint8)
        box = tuple(slice(max(0, 2 * part.start - 4), 2 * part.stop + 4) for part in sl)
        seal = pixels[box]
        gray = seal.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        mask[box] = np.maximum(mask[box], _lift_seal(_redness(seal) > SEAL_INK_REDNESS, gray < 128))
    return mask


def _redness(pixels: np.ndarray) -> np.ndarray:
    rgb = pixels.astype(np.int16)
    return rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])


def _is_seal(component: np.ndarray, text_px: float) -> bool:
    height, width = component.shape
    if min(height, width) < SEAL_MIN_SIDE_LINES * text_px or max(height, width) > SEAL_MAX_SIDE_LINES * text_px:
        return False
    if max(height, width) > SEAL_MAX_ASPECT * min(height, width):
        return False
    return component.sum() <= SEAL_MAX_INK_SHARE * ndimage.binary_fill_holes(component).sum()


def _lift_seal(red: np.ndarray, dark: np.ndarray) -> np.ndarray:
    """Classes for one seal's box: its red ink and the pale fringe around it lift; red pixels that
    sit in a thin run of the rim between two pieces of dark print bridge (a vertical rim crossing
    a horizontal stroke, or the other way round; never along the rim, which would join strokes)."""
    black = dark & ~red
    span = 2 * SEAL_RIM_BRIDGE + 1
    across = ndimage.binary_closing(black, np.ones((1, span), dtype=bool))
    down = ndimage.binary_closing(black, np.ones((span, 1), dtype=bool))
    vertical_rim = ndimage.binary_opening(red, np.ones((span, 1), dtype=bool))
    horizontal_rim = ndimage.binary_opening(red, np.ones((1, span), dtype=bool))
    bridge = red & ((across & vertical_rim) | (down & horizontal_rim))
    lift = ndimage.binary_dilation(red) & ~black
    classes = np.where(lift, LIFT, KEEP).astype(np.uint8)
    classes[bridge] = BRIDGE
    return classes


def without_seals(page: Image.Image, mask: np.ndarray) -> Image.Image:
    """The prepared page with the seals lifted (`mask` aligned to the page)."""
    pixels = np.array(page.convert("L"))
    pixels[mask == LIFT] = 255
    pixels[mask == BRIDGE] = 0
    return Image.fromarray(pixels)


def is_seal_glyph(mask: np.ndarray, page: Image.Image, box: tuple[int, int, int, int]) -> bool:
    """Whether the ink inside `box` (a word read on the page) is the seal's own: a seal's glyphs
    (the shop's name set in a square) read as words beside the printed name they cover."""
    left, top = max(0, box[0]), max(0, box[1])
    right, bottom = min(page.width, box[2]), min(page.height, box[3])
    if right <= left or bottom <= top:
        return False
    dark = np.asarray(page.crop((left, top, right, bottom)).convert("L")) < 128
    if not dark.any():
        return False
    return bool((mask[top:bottom, left:right] == LIFT)[dark].mean() > SEAL_GLYPH_MIN_SHARE)


def crosses_seal(mask: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    return seal_columns(mask, box) is not None


def seal_columns(mask: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int] | None:
    """The first and last page columns (exclusive) where seal ink lies, within `box`'s rows, of
    the seal(s) `box` touches; None when it touches none."""
    left, top, right, bottom = box
    band = mask[max(0, top) : max(0, bottom)]
    if not band[:, max(0, left) : max(0, right)].any():
        return None
    columns = np.flatnonzero(band.any(axis=0))
    # Only the seal runs the box touches: another seal further along the row is not extended to.
    runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    touched = [run for run in runs if run[-1] >= left and run[0] < right]
    return int(touched[0][0]), int(touched[-1][-1]) + 1
