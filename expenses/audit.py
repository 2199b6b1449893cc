"""電子帳簿保存法 search (R7.5): date range, amount range and counterparty, combined; all versions kept."""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from expenses.models import ClaimLine, Receipt


@dataclass
class ReceiptSearch:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    counterparty: str = ""
    include_history: bool = False  # replaced and deleted versions (R7.4)

    @property
    def is_empty(self) -> bool:
        return not any([self.date_from, self.date_to, self.amount_min is not None, self.amount_max is not None,
                        self.counterparty])


def list_receipts_for_audit(search: ReceiptSearch) -> QuerySet[Receipt]:
    """Transaction date, amount and counterparty come from the claim line the receipt evidences."""
    # The transaction amount is the whole receipt: a mixed-rate receipt is claimed as one line per rate.
    rate_lines = (ClaimLine.objects.filter(receipt_line=OuterRef("line_id")).order_by()
                  .values("receipt_line").annotate(total=Sum("amount")).values("total"))
    queryset = Receipt.objects.select_related("claim__applicant", "line", "uploaded_by").annotate(
        transaction_amount=F("line__amount") + Coalesce(Subquery(rate_lines), 0))
    if not search.include_history:
        queryset = queryset.filter(deleted_at__isnull=True, replaced_at__isnull=True)
    if search.date_from:
        queryset = queryset.filter(line__expense_date__gte=search.date_from)
    if search.date_to:
        queryset = queryset.filter(line__expense_date__lte=search.date_to)
    if search.amount_min is not None:
        queryset = queryset.filter(transaction_amount__gte=search.amount_min)
    if search.amount_max is not None:
        queryset = queryset.filter(transaction_amount__lte=search.amount_max)
    if search.counterparty:
        queryset = queryset.filter(Q(line__vendor__icontains=search.counterparty)
                                   | Q(ocr_result__vendor__icontains=search.counterparty))
    return queryset.order_by("line__expense_date", "id")


CSV_HEADER = ["receipt_id", "取引年月日", "取引金額", "取引先", "登録番号", "申請番号", "明細ID", "申請者",
              "保存日時", "SHA-256", "ファイル名", "状態"]


def _state(receipt: Receipt) -> str:
    if receipt.deleted_at:
        return "削除"
    if receipt.replaced_at:
        return "差し替え前"
    return "現行"


def _row(receipt: Receipt) -> list:
    line = receipt.line
    return [
        receipt.pk,
        line.expense_date.strftime("%Y/%m/%d") if line and line.expense_date else "",
        receipt.transaction_amount if receipt.transaction_amount is not None else "",
        line.vendor if line else "",
        line.registration_number if line else "",
        receipt.claim.number,
        line.pk if line else "",
        receipt.claim.applicant.display_name,
        timezone.localtime(receipt.uploaded_at).strftime("%Y/%m/%d %H:%M:%S"),
        receipt.sha256,
        receipt.original_name,
        _state(receipt),
    ]


def _safe(value):
    """Spreadsheet formula injection: text starting with = + - @ is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def audit_csv_bytes(receipts) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for receipt in receipts:
        writer.writerow([_safe(v) for v in _row(receipt)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Japanese UTF-8 correctly


def write_audit_zip(receipts, target) -> None:
    """The index CSV plus every original, for a tax officer's download request (ダウンロードの求め)."""
    receipts = list(receipts)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.csv", audit_csv_bytes(receipts))
        for receipt in receipts:
            suffix = receipt.original.name.rsplit(".", 1)[-1] if "." in receipt.original.name else "bin"
            with receipt.original.open("rb") as handle:
                archive.writestr(f"receipts/{receipt.pk:08d}.{suffix}", handle.read())
