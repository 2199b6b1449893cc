"""Receipt OCR accuracy/speed bench: the Seisan pipeline against plain Tesseract.

    python bench/ocr_eval.py [DIR] [--limit N] [--quiet] [--perturbed]

DIR (default: <repo>/../shared/receipts-dev) holds images and truth.jsonl (see its README.md).
Each image is read by the baseline and by the pipeline back to back, so machine load affects both
alike. Tesseract runs with OMP_THREAD_LIMIT=1 for both (faster on this hardware for either).
The pipeline keeps its Tesseract models loaded between receipts, as a worker process does (the
first receipt pays the load); the baseline, like pytesseract, starts the tesseract command each time.
Runs without the project's Django apps (minimal settings), so it works from any checkout.
Human-readable lines first; the last line is one JSON object with all figures.

--perturbed also reads copies of every image scaled to 90 % and 110 % and turned by 1 degree (the
pipeline only), and reports their accuracy and the mean over the four sets. Tesseract's reading of a
hard photo changes with a few pixels anywhere on the page, so a rule tuned on the dev images alone
can gain there by chance; the perturbed copies show whether it carries over to images it never saw.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

FIELDS = ("issue_date", "total", "vendor", "registration_number", "tax_breakdown", "payment_method")


def norm_text(value: Any) -> Any:
    return None if value is None else unicodedata.normalize("NFKC", str(value))


def norm_field(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "vendor":
        return re.sub(r"\s+", "", norm_text(value)) or None
    if name == "registration_number":
        return re.sub(r"[\s\-]", "", norm_text(value)).upper() or None
    if name == "total":
        return int(value)
    if name == "tax_breakdown":
        return {
            str(r): {"taxable": int(v["taxable"]), "tax": int(v["tax"])} for r, v in (value or {}).items()
        }
    return norm_text(value)


def field_matches(name: str, truth: dict[str, Any], predicted: dict[str, Any]) -> bool:
    return norm_field(name, truth.get(name)) == norm_field(name, predicted.get(name))


# -- baseline: plain Tesseract + simple regexes -----------------------------------------------------


def baseline_read(path: Path) -> dict[str, Any]:
    import pytesseract
    from PIL import Image

    with Image.open(path) as image:
        text = pytesseract.image_to_string(image, lang="jpn+eng")
    return baseline_fields(text)


def baseline_fields(text: str) -> dict[str, Any]:
    text = unicodedata.normalize("NFKC", text).replace("\\", "¥")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out: dict[str, Any] = {name: None for name in FIELDS}
    out["tax_breakdown"] = {}
    date = re.search(r"(20\d{2})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})", text)
    if date:
        out["issue_date"] = f"{int(date.group(1)):04d}-{int(date.group(2)):02d}-{int(date.group(3)):02d}"
    for line in lines:
        match = re.search(r"合\s*計.*?([\d,]+)", line)
        if match and "対象" not in line:
            out["total"] = int(match.group(1).replace(",", "") or 0) or None
            break
    reg = re.search(r"T\s*(\d{13})", text)
    out["registration_number"] = "T" + reg.group(1) if reg else None
    out["vendor"] = lines[0] if lines else None
    for match in re.finditer(r"(10|8)\s*%\s*対象\D*([\d,]+)", text):
        out["tax_breakdown"][match.group(1)] = {
            "taxable": int(match.group(2).replace(",", "") or 0),
            "tax": 0,
        }
    for method, pattern in (
        ("cash", r"現金"),
        ("credit_card", r"クレジット|VISA|JCB"),
        ("e_money", r"電子マネー|交通系|WAON|nanaco|iD|QUICPay"),
        ("qr_code", r"PayPay|d払い|楽天ペイ"),
    ):
        if re.search(pattern, text):
            out["payment_method"] = method
            break
    return out


# -- pipeline ----------------------------------------------------------------------------------------


def pipeline_read(path: Path) -> dict[str, Any]:
    from expenses.ocr.pipeline import read_receipt_file

    return read_receipt_file(path, langs="jpn+eng").to_json_dict()


# -- perturbed copies --------------------------------------------------------------------------------


def _scaled(factor: float) -> Callable[[Any], Any]:
    def apply(image: Any) -> Any:
        from PIL import Image

        size = (round(image.width * factor), round(image.height * factor))
        return image.resize(size, Image.LANCZOS)

    return apply


def _turned(degrees: float) -> Callable[[Any], Any]:
    def apply(image: Any) -> Any:
        from PIL import Image

        # The corners the turn uncovers take the colour of the image's own corner (its background).
        return image.rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=image.getpixel((0, 0)))

    return apply


PERTURBATIONS: dict[str, Callable[[Any], Any]] = {
    "scaled_90": _scaled(0.9),
    "scaled_110": _scaled(1.1),
    "turned_1": _turned(1.0),
}


def perturbed_accuracy(directory: Path, truths: list[dict[str, Any]]) -> dict[str, Any]:
    """Pipeline accuracy on each perturbed copy of the set, and the mean over the set and its copies."""
    import tempfile

    from PIL import Image, ImageOps

    sets: dict[str, dict[str, float | None]] = {}
    for name, perturb in PERTURBATIONS.items():
        with tempfile.TemporaryDirectory(prefix=f"ocr-eval-{name}-") as tmp:
            rows = []
            for truth in truths:
                with Image.open(directory / truth["file"]) as original:
                    copy = perturb(ImageOps.exif_transpose(original).convert("RGB"))
                path = Path(tmp) / (Path(truth["file"]).stem + ".jpg")
                copy.save(path, quality=92)
                rows.append(evaluate(path, truth, pipeline_read))
            sets[name] = summarise(rows)["accuracy"]
        print(f"{name}: {json.dumps(sets[name], ensure_ascii=False)}")
    return sets


def mean_accuracy(accuracies: list[dict[str, float | None]]) -> dict[str, float | None]:
    means: dict[str, float | None] = {}
    for name in [*FIELDS, "all_fields"]:
        values = [accuracy[name] for accuracy in accuracies if accuracy[name] is not None]
        means[name] = round(statistics.fmean(values), 4) if values else None
    return means


# -- scoring -----------------------------------------------------------------------------------------


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def accuracy(subset: list[dict[str, Any]]) -> dict[str, float | None]:
        result: dict[str, float | None] = {}
        for name in FIELDS:
            pool = subset
            if name == "registration_number":
                pool = [r for r in subset if r["truth"].get("registration_number")]
            result[name] = round(sum(r["ok"][name] for r in pool) / len(pool), 4) if pool else None
        result["all_fields"] = (
            round(sum(all(r["ok"].values()) for r in subset) / len(subset), 4) if subset else None
        )
        return result

    seconds = sorted(r["seconds"] for r in rows)
    p95 = seconds[min(len(seconds) - 1, max(0, round(0.95 * len(seconds)) - 1))] if seconds else None
    levels = sorted({r["truth"]["degradation"] for r in rows})
    return {
        "n": len(rows),
        "accuracy": accuracy(rows),
        "by_degradation": {
            level: accuracy([r for r in rows if r["truth"]["degradation"] == level]) for level in levels
        },
        "mean_seconds": round(statistics.fmean(seconds), 3) if seconds else None,
        "p95_seconds": round(p95, 3) if p95 is not None else None,
    }


def evaluate(path: Path, truth: dict[str, Any], reader: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        predicted = reader(path)
        error = None
    except Exception as exc:  # a bench must survive one bad file and report it
        predicted, error = {}, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - started
    ok = {name: field_matches(name, truth, predicted) for name in FIELDS}
    return {
        "file": truth["file"],
        "truth": truth,
        "predicted": predicted,
        "ok": ok,
        "seconds": seconds,
        "error": error,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", nargs="?", default=str(REPO_ROOT.parent / "shared" / "receipts-dev"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N receipts")
    parser.add_argument("--quiet", action="store_true", help="no per-field mismatch lines")
    parser.add_argument("--no-baseline", action="store_true", help="skip the plain Tesseract baseline")
    parser.add_argument(
        "--perturbed", action="store_true", help="also read copies scaled 90 %%/110 %% and turned 1 degree"
    )
    args = parser.parse_args(argv)

    from django.conf import settings

    # The engine needs no apps or database; only its lazily translated error messages touch Django.
    # Minimal settings keep the bench independent of the rest of the project.
    if not settings.configured:
        settings.configure(USE_I18N=False)

    directory = Path(args.directory)
    truths = [
        json.loads(line)
        for line in (directory / "truth.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    if args.limit:
        truths = truths[: args.limit]
    pipeline_rows, baseline_rows = [], []
    for truth in truths:
        path = directory / truth["file"]
        if not args.no_baseline:
            baseline_rows.append(evaluate(path, truth, baseline_read))
        row = evaluate(path, truth, pipeline_read)
        pipeline_rows.append(row)
        if row["error"]:
            print(f"{truth['file']}: ERROR {row['error']}")
        elif not args.quiet:
            for name in FIELDS:
                if not row["ok"][name]:
                    print(
                        f"{truth['file']} [{truth['degradation']}] {name}: "
                        f"got {row['predicted'].get(name)!r} want {truth.get(name)!r}"
                    )
    result: dict[str, Any] = {"dataset": str(directory), "pipeline": summarise(pipeline_rows)}
    if baseline_rows:
        result["baseline"] = summarise(baseline_rows)
        result["time_ratio"] = round(
            result["pipeline"]["mean_seconds"] / result["baseline"]["mean_seconds"], 3
        )
    for name, block in (("pipeline", result["pipeline"]), ("baseline", result.get("baseline"))):
        if block:
            print(
                f"{name}: {json.dumps(block['accuracy'], ensure_ascii=False)} "
                f"mean {block['mean_seconds']}s p95 {block['p95_seconds']}s"
            )
    if args.perturbed:
        sets = perturbed_accuracy(directory, truths)
        sets["mean_with_original"] = mean_accuracy([result["pipeline"]["accuracy"], *sets.values()])
        result["perturbed"] = sets
        print(f"mean over the set and its copies: {json.dumps(sets['mean_with_original'])}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
