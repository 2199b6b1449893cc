"""IC card history import (formats.md §7, R12): parse, preview with the pass deduction, import the picked
rides as transit lines, refuse rides already imported by anyone (R12.3)."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError, ValidationFailed
from expenses.models import ClaimLine
from expenses.selectors import access_editable_claim
from expenses.services.lines import LineContext
from expenses.services.transit import (
    TransitInput,
    TransitPreview,
    do_add_transit_lines,
    pass_sections_for,
    preview_transit,
    validate_transit,
)
from expenses.transit.ic_formats import (
    IcImportError,
    IcImportResult,
    IcTrip,
    TripKind,
    parse_mobile_suica_paste,
    parse_sfcard_viewer_csv,
)
from expenses.transit_models import FareKind, FareSource, ImportedIcTrip, Mode, PassDeductionKind
from expenses.transit_selectors import known_station_keys

MAX_UPLOAD_BYTES = 512 * 1024
MAX_PASTE_CHARS = 100_000


def parse_ic_history(*, data: bytes | None = None, text: str | None = None,
                     reference_date: datetime.date) -> IcImportResult:
    """An SFCard Viewer 2 file (cp932) or a pasted モバイルSuica table; IcImportError names the line."""
    if data:
        if len(data) > MAX_UPLOAD_BYTES:
            raise IcImportError(_("ファイルが大きすぎます（512KBまで）。SFCard Viewer 2 の CSV を選択してください。"))
        return parse_sfcard_viewer_csv(data)
    if text and text.strip():
        if len(text) > MAX_PASTE_CHARS:
            raise IcImportError(_("貼り付けたテキストが長すぎます。利用履歴の表だけをコピーしてください。"))
        return parse_mobile_suica_paste(text, reference_date=reference_date)
    raise IcImportError(_("CSVファイルを選択するか、モバイルSuicaの利用履歴を貼り付けてください。"))


@dataclass
class IcPreviewRow:
    trip: IcTrip
    data: TransitInput
    preview: TransitPreview
    already_imported: bool
    problem: str  # why it cannot be picked ("" when it can)

    @property
    def selectable(self) -> bool:
        return not self.problem

    @property
    def line_number(self) -> int:
        return self.trip.line_number


def trip_input(trip: IcTrip, *, purpose: str = "", destination: str = "",
               deducted_fare: int | None = None) -> TransitInput:
    bus = trip.kind == TripKind.BUS
    return TransitInput(
        expense_date=trip.date,
        from_station=trip.entry_station.strip() or "—",
        to_station="" if bus else trip.exit_station.strip(),
        fare_oneway=trip.fare,
        mode=Mode.BUS if bus else Mode.TRAIN,
        fare_kind=FareKind.IC,
        deducted_fare_oneway=deducted_fare,
        purpose=purpose,
        destination=destination,
        fare_source=FareSource.IC,
        ic_on_pass=trip.on_pass,
    )


def preview_ic_import(user, result: IcImportResult, *, today: datetime.date,
                      deducted_fares: dict[int, int] | None = None) -> list[IcPreviewRow]:
    deducted_fares = deducted_fares or {}
    imported = set(ImportedIcTrip.objects.filter(dedupe_hash__in=[t.dedupe_hash for t in result.trips])
                   .values_list("dedupe_hash", flat=True))
    sections = pass_sections_for(user)
    inputs = [trip_input(trip, deducted_fare=deducted_fares.get(trip.line_number)) for trip in result.trips]
    known = known_station_keys([name for data in inputs for name in (data.from_station, data.to_station)])
    rows = []
    for trip, data in zip(result.trips, inputs, strict=True):
        preview = preview_transit(user, data, sections=sections, known_stations=known)
        errors: dict[str, str] = {}
        validate_transit(data, today=today, errors=errors)
        problem = ""
        if trip.dedupe_hash in imported:
            problem = _("取込済みです（同じ利用履歴は一度しか精算できません）。")
        elif errors:
            problem = next(iter(errors.values()))
        elif preview.deduction == PassDeductionKind.FULL:
            problem = _("定期区間控除: 全区間が定期券の範囲内のため ¥0 です。")
        rows.append(IcPreviewRow(trip, data, preview, trip.dedupe_hash in imported, problem))
    return rows


@transaction.atomic
def check_import_ic_trips(claim_id: int, *, acting_user, result: IcImportResult, selected: list[int],
                          purpose: str = "", destination: str = "",
                          deducted_fares: dict[int, int] | None = None) -> list[ClaimLine]:
    """Import the picked rides (by the file's line numbers). All or nothing: one refused ride refuses all."""
    claim = access_editable_claim(acting_user, claim_id)
    if len(purpose) > 200 or len(destination) > 100:
        raise ValidationFailed(_("入力内容を確認してください。"), extra={"fields": {
            "purpose": _("目的は200文字以内、訪問先は100文字以内で入力してください。")}})
    ctx = LineContext.load()
    rows = {row.line_number: row for row in preview_ic_import(acting_user, result, today=ctx.today,
                                                              deducted_fares=deducted_fares)}
    picked = sorted(set(selected))
    if not picked:
        raise ValidationFailed(_("取り込む利用履歴を選択してください。"), extra={"fields": {"selected": _("1件以上選択してください。")}})
    errors = {}
    for number in picked:
        row = rows.get(number)
        if row is None:
            errors[f"selected.{number}"] = _("%(line)d 行目は取り込める利用履歴ではありません。") % {"line": number}
        elif row.problem:
            errors[f"selected.{number}"] = _("%(line)d 行目: %(problem)s") % {"line": number, "problem": row.problem}
    if errors:
        duplicate = any(rows.get(n) is not None and rows[n].already_imported for n in picked)
        message = (_("すでに取り込み済みの利用履歴が含まれています。二重の精算はできません。") if duplicate
                   else _("取り込めない利用履歴が含まれています。"))
        raise ValidationFailed(message, extra={"fields": errors})
    chosen = [rows[n] for n in picked]
    for row in chosen:
        row.data.purpose, row.data.destination = purpose.strip(), destination.strip()
    lines = do_add_transit_lines(claim, [(row.data, row.preview) for row in chosen], ctx=ctx, acting_user=acting_user)
    do_record_imported_trips(acting_user, [row.trip for row in chosen], lines)
    return lines


@transaction.atomic
def do_record_imported_trips(user, trips: list[IcTrip], lines: list[ClaimLine]) -> None:
    """The unique hash is the last guard against a concurrent double import (two tabs, two users)."""
    rows = [
        ImportedIcTrip(dedupe_hash=trip.dedupe_hash, user=user, line=line, card_id=trip.card_id[:40],
                       trip_date=trip.date, entry_station=trip.entry_station[:100],
                       exit_station=trip.exit_station[:100], fare=trip.fare, balance=trip.balance,
                       source=trip.source.value)
        for trip, line in zip(trips, lines, strict=True)
    ]
    try:
        with transaction.atomic():
            ImportedIcTrip.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise ApplicationError(_("すでに取り込み済みの利用履歴が含まれています。二重の精算はできません。")) from exc
