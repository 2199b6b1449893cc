"""The OCR bench's perturbed copies and their scoring (pure functions; no Tesseract)."""

from PIL import Image

from bench.ocr_eval import PERTURBATIONS, field_matches, mean_accuracy


def test_the_perturbed_copies_are_scaled_and_turned_with_the_background_colour():
    image = Image.new("RGB", (200, 100), (90, 60, 30))
    image.paste((255, 255, 255), (50, 25, 150, 75))

    scaled_down = PERTURBATIONS["scaled_90"](image)
    scaled_up = PERTURBATIONS["scaled_110"](image)
    turned = PERTURBATIONS["turned_1"](image)

    assert scaled_down.size == (180, 90) and scaled_up.size == (220, 110)
    assert turned.width > 200 and turned.height > 100
    assert turned.getpixel((0, 0)) == (90, 60, 30)  # no black wedges in the corners


def test_the_mean_over_sets_skips_fields_a_set_cannot_score():
    first = {"issue_date": 1.0, "total": 0.5, "vendor": 1.0, "registration_number": None,
             "tax_breakdown": 1.0, "payment_method": 1.0, "all_fields": 0.5}
    second = {**first, "total": 1.0, "registration_number": 0.5}

    mean = mean_accuracy([first, second])

    assert mean["total"] == 0.75
    assert mean["registration_number"] == 0.5
    assert mean["all_fields"] == 0.5


def test_vendor_scoring_ignores_spacing_and_width():
    assert field_matches("vendor", {"vendor": "和食処 松乃"}, {"vendor": "和食処松乃"})
    assert not field_matches("vendor", {"vendor": "和食処 松乃"}, {"vendor": "和食処松"})
