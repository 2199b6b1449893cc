"""Lifting red seals off printed text (pure image logic, no Tesseract)."""

import numpy as np
from PIL import Image

from expenses.ocr.preprocess import prepare_page
from expenses.ocr.seals import (
    BRIDGE,
    KEEP,
    LIFT,
    crosses_seal,
    is_seal_glyph,
    seal_columns,
    seal_mask,
    without_seals,
)

PAPER = (245, 243, 238)
INK = (20, 20, 22)
SEAL_RED = (200, 45, 55)


def _receipt_with_seal() -> np.ndarray:
    """A page with a black horizontal stroke (part of a glyph) crossed by the left rim of a red
    square seal, a red glyph inside the seal, and a red ruled line elsewhere (form print)."""
    page = np.zeros((200, 300, 3), dtype=np.uint8)
    page[:] = PAPER
    page[98:104, 40:140] = INK  # the stroke runs into the seal
    page[60:140, 120:124] = SEAL_RED  # seal rim: left
    page[60:140, 196:200] = SEAL_RED  # right
    page[60:64, 120:200] = SEAL_RED  # top
    page[136:140, 120:200] = SEAL_RED  # bottom
    page[85:115, 150:154] = SEAL_RED  # the seal's own glyph
    page[180:183, 20:280] = SEAL_RED  # a red ruled line of the form
    return page


def test_seal_mask_lifts_the_seal_and_bridges_the_stroke_it_crosses():
    """
    GIVEN: a black stroke crossed by a red seal's rim, and a red ruled line elsewhere
    WHEN: the seal mask is computed (text 16 px tall)
    THEN: the rim and the seal's glyph lift, the stroke under the rim bridges, the stroke itself and
    the ruled line stay; the page without the seal has one unbroken stroke and no red ink left
    """
    page = _receipt_with_seal()

    mask = seal_mask(Image.fromarray(page), text_px=16)

    assert mask is not None
    assert mask[62, 160] == LIFT  # top rim
    assert mask[100, 152] == LIFT  # seal's glyph
    assert mask[120, 122] == LIFT  # left rim away from the stroke
    assert set(np.unique(mask[98:104, 120:124])) == {BRIDGE}  # rim over the stroke
    assert mask[100, 60] == KEEP  # the stroke
    assert not mask[178:185, :].any()  # the ruled line is print, not a seal

    gray = np.asarray(Image.fromarray(page).convert("L"))
    cleaned = np.asarray(without_seals(Image.fromarray(gray), mask))
    assert (cleaned[100, 40:124] < 60).all()  # one unbroken stroke up to the rim's far side
    assert (cleaned[60:140, 142:200] > 200).all()  # right of the stroke: paper again, rim and glyph gone
    assert cleaned[181, 100] == gray[181, 100]  # the ruled line is untouched


def test_no_seal_on_a_page_of_black_print_or_red_lettering():
    page = np.zeros((200, 300, 3), dtype=np.uint8)
    page[:] = PAPER
    page[40:56, 20:36] = INK
    page[100:116, 20:200] = SEAL_RED  # a red banner of lettering: long, not a square frame
    page[140:170, 40:70] = SEAL_RED  # a solid red square: a logo, not a hollow frame

    assert seal_mask(Image.fromarray(page), text_px=16) is None


def test_crosses_seal_checks_the_box_against_the_mask():
    mask = np.zeros((50, 50), dtype=np.uint8)
    mask[10:20, 30:40] = LIFT

    assert crosses_seal(mask, (0, 12, 31, 18))
    assert not crosses_seal(mask, (0, 12, 30, 18))
    assert not crosses_seal(mask, (30, 21, 40, 30))


def test_seal_columns_span_the_seals_the_box_touches_and_no_other():
    mask = np.zeros((50, 100), dtype=np.uint8)
    mask[10:40, 30:45] = LIFT
    mask[10:40, 70:90] = LIFT  # a second seal further along the row

    assert seal_columns(mask, (0, 12, 31, 18)) == (30, 45)
    assert seal_columns(mask, (0, 12, 75, 18)) == (30, 90)
    assert seal_columns(mask, (0, 12, 29, 18)) is None


def test_a_seal_glyph_is_ink_that_is_nearly_all_seal_ink():
    """
    GIVEN: the seal's own glyph, a printed stroke the seal's rim crosses, and plain paper
    WHEN: each box is checked (as a word read there would be)
    THEN: only the seal's glyph is the seal's text; print under the seal and blank paper are not
    """
    page = _receipt_with_seal()
    mask = seal_mask(Image.fromarray(page), text_px=16)
    gray = Image.fromarray(page).convert("L")
    assert mask is not None

    assert is_seal_glyph(mask, gray, (146, 83, 158, 117))  # the seal's glyph
    assert not is_seal_glyph(mask, gray, (100, 95, 130, 107))  # the stroke running under the rim
    assert not is_seal_glyph(mask, gray, (20, 20, 60, 50))  # paper


def test_prepared_page_keeps_the_seal_mask_aligned_through_scaling():
    """
    GIVEN: a photo whose print is small (upscaled by preprocessing) with a seal
    WHEN: the page is prepared
    THEN: the mask has the page's size and marks the seal where the page shows it
    """
    page = np.zeros((400, 600, 3), dtype=np.uint8)
    page[:] = PAPER
    for row in range(4):
        for col in range(12):
            top, left = 40 + row * 30, 30 + col * 22
            page[top : top + 12, left : left + 10] = INK  # glyph-sized blobs: 12 px text
            page[top + 4 : top + 6, left - 2 : left + 12] = INK
    page[260:340, 400:404] = SEAL_RED
    page[260:340, 476:480] = SEAL_RED
    page[260:264, 400:480] = SEAL_RED
    page[336:340, 400:480] = SEAL_RED

    prepared = prepare_page(Image.fromarray(page))

    assert prepared.seals is not None
    assert prepared.seals.shape == (prepared.image.height, prepared.image.width)
    ys, xs = np.nonzero(prepared.seals)
    scale = prepared.image.width / 600
    assert abs(xs.min() / scale - 400) <= 4 and abs(ys.min() / scale - 260) <= 4
    lifted = np.asarray(prepared.without_seals())
    assert (lifted[prepared.seals == LIFT] == 255).all()
