"""精算書 PDF with reportlab's built-in Japanese CID fonts (HeiseiKakuGo-W5 / HeiseiMin-W3; no downloads)."""

import io
import logging
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from accounting.models import JournalEntry
from approvals.models import ClaimEvent
from core.money import format_yen
from expenses.models import Claim, ClaimLine

logger = logging.getLogger(__name__)
GOTHIC, MINCHO = "HeiseiKakuGo-W5", "HeiseiMin-W3"
pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))
pdfmetrics.registerFont(UnicodeCIDFont(MINCHO))

TAX_LABELS = {
    "non_taxable": "非課税", "out_of_scope": "対象外",
}


def tax_label(code: str) -> str:
    """taxable/10/std/80 → 課税10% 80%控除 (the frozen key of the posted line)."""
    if code in TAX_LABELS:
        return TAX_LABELS[code]
    try:
        _kind, rate, reduced, ratio = code.split("/")
    except ValueError:
        return code
    label = f"課税{rate}%{'（軽減）' if reduced == 'reduced' else ''}"
    return label + ("" if ratio == "100" else f" {ratio}%控除")


def _date(d) -> str:
    return d.strftime("%Y/%m/%d") if d else "—"


def _styles():
    base = ParagraphStyle("base", fontName=GOTHIC, fontSize=8.5, leading=11)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontName=MINCHO, fontSize=18, leading=24),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555")),
    }


def _table(data, widths, *, header=True, align_right=()) -> Table:
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style = [("FONT", (0, 0), (-1, -1), GOTHIC, 8.5), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb"))]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")))
    for column in align_right:
        style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    table.setStyle(TableStyle(style))
    return table


def _thumbnail(receipt) -> Image | None:
    field = receipt.thumbnail or receipt.preview
    if not field:
        return None
    try:
        with field.open("rb") as handle:
            data = io.BytesIO(handle.read())
        image = Image(data)
        scale = min(32 * mm / image.drawWidth, 40 * mm / image.drawHeight)
        image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
        return image
    except (OSError, ValueError):  # a missing derived file must not break the document
        logger.warning("receipt %s thumbnail unreadable", receipt.pk)
        return None


def claim_pdf(claim: Claim, *, lines: list[ClaimLine], events: list[ClaimEvent], entry: JournalEntry | None,
              company_name: str) -> bytes:
    """The whole document in memory (a claim has at most a few hundred lines)."""
    s = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=f"精算書 {claim.number}", author=company_name)
    story = [Paragraph("経費精算書", s["title"]), Spacer(1, 4)]
    applicant = claim.applicant
    header = [
        ["申請番号", claim.number, "会社", company_name],
        ["申請者", f"{applicant.display_name}（{applicant.employee_code or '—'}）", "部門",
         claim.department.name if claim.department else "—"],
        ["件名", Paragraph(escape(claim.title), s["base"]), "提出日",
         _date(claim.submitted_at.date() if claim.submitted_at else None)],
        ["状態", claim.get_status_display(), "計上日", _date(entry.entry_date) if entry else "未計上"],
    ]
    story.append(_table(header, [22 * mm, 68 * mm, 22 * mm, 70 * mm], header=False))
    if claim.purpose:
        story += [Spacer(1, 4), Paragraph(f"目的・備考: {escape(claim.purpose)}", s["base"])]

    posted = {jl.claim_line_id: jl for jl in (entry.lines.all() if entry else []) if jl.claim_line_id}
    story.append(Paragraph("明細", s["h2"]))
    rows = [["No", "利用日", "経費科目", "支払先・内容", "税区分", "金額", "消費税"]]
    thumbs = []
    for index, line in enumerate(lines, 1):
        journal_line = posted.get(line.pk)
        tax = tax_label(journal_line.tax_code) if journal_line else line.get_tax_category_display()
        note = journal_line.special_case_note if journal_line else ""
        category = line.approved_category or line.category
        # Employee-typed text is escaped: Paragraph parses markup, and a stray "<" would break the whole PDF.
        text = escape(" ".join(p for p in (line.vendor, line.description) if p)) or "—"
        if line.registration_number:
            text += f"<br/><font size=7>{line.registration_number}</font>"
        if line.receipt_line_id:
            text += f"<br/><font size=7>行{line.receipt_line.position}と同じ領収書（税率別の明細）</font>"
        amount = format_yen(line.effective_amount)
        if line.approved_amount is not None and line.approved_amount != line.amount:
            amount += f"\n(申請 {format_yen(line.amount)})"
        rows.append([str(index), _date(line.expense_date), Paragraph(escape(category.name) if category else "—", s["base"]),
                     Paragraph(text, s["base"]), Paragraph(tax + (f"<br/><font size=7>{note}</font>" if note else ""),
                                                           s["base"]),
                     amount, format_yen(journal_line.tax_amount if journal_line and journal_line.tax_amount
                                        is not None else line.tax_amount)])
        for receipt in line.receipts.all():
            image = _thumbnail(receipt)
            if image is not None:
                thumbs.append((index, image))
    story.append(_table(rows, [8 * mm, 21 * mm, 30 * mm, 52 * mm, 31 * mm, 22 * mm, 18 * mm], align_right=(5, 6)))

    story.append(Paragraph("税率別合計", s["h2"]))
    totals = [["区分", "対象額（税込）", "うち消費税"],
              ["10%", format_yen(claim.taxable_10_amount), format_yen(claim.tax_10_amount)],
              ["8%（軽減）", format_yen(claim.taxable_8_amount), format_yen(claim.tax_8_amount)],
              ["非課税・対象外", format_yen(claim.other_amount), "—"],
              ["合計", format_yen(claim.total_amount), format_yen(claim.tax_10_amount + claim.tax_8_amount)]]
    if entry:
        totals.append(["精算額（計上）", format_yen(entry.debit_total), ""])
    story.append(_table(totals, [40 * mm, 40 * mm, 40 * mm], align_right=(1, 2)))

    story.append(Paragraph("承認履歴", s["h2"]))
    history = [["日時", "実行者", "内容", "コメント"]]
    for event in events:
        when = timezone.localtime(event.created_at).strftime("%Y/%m/%d %H:%M")
        actor = event.actor.display_name
        if event.on_behalf_of_id:
            actor += f"（{event.on_behalf_of.display_name} の代理）"
        what = (f"{event.get_from_status_display()} → {event.get_to_status_display()}"
                if event.kind == ClaimEvent.Kind.STATUS else event.get_kind_display())
        history.append([when, actor, what, Paragraph(escape(event.comment or ""), s["base"])])
    story.append(_table(history, [34 * mm, 40 * mm, 40 * mm, 68 * mm]))

    if thumbs:
        story.append(Paragraph("領収書", s["h2"]))
        cells = [[Paragraph(f"明細 {index}", s["small"]), image] for index, image in thumbs]
        grid = []
        for start in range(0, len(cells), 4):
            chunk = cells[start:start + 4]
            grid.append([c[1] for c in chunk] + [""] * (4 - len(chunk)))
            grid.append([c[0] for c in chunk] + [""] * (4 - len(chunk)))
        story.append(Table(grid, colWidths=[45 * mm] * 4))
    story += [Spacer(1, 8), Paragraph("Seisan 経費精算システムで作成", s["small"])]
    doc.build(story)
    return out.getvalue()
