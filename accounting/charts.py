"""Server-drawn SVG charts (no JavaScript, no CDN): stacked monthly bars with a legend."""

import datetime
from collections.abc import Sequence
from xml.sax.saxutils import escape

PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#9ca3af")
MAX_SERIES = len(PALETTE) - 1  # the rest is drawn as "その他"


def _yen_short(amount: int) -> str:
    if amount >= 10_000:
        return f"¥{amount / 10_000:,.1f}万".replace(".0万", "万")
    return f"¥{amount:,}"


def _nice_ceiling(value: int) -> int:
    """Round the axis maximum up to 1, 2, 2.5 or 5 × 10^n so that the four grid steps read well."""
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 4, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return value


def monthly_stacked_bars(rows: Sequence[dict], *, months: Sequence[datetime.date], title: str,
                         other_label: str = "その他", width: int = 560, height: int = 260) -> str:
    """rows: {"month": date, "key": str, "amount": int}. Returns an <svg> string (escaped text)."""
    totals_by_key: dict[str, int] = {}
    for row in rows:
        totals_by_key[row["key"]] = totals_by_key.get(row["key"], 0) + row["amount"]
    keys = [k for k, _ in sorted(totals_by_key.items(), key=lambda kv: -kv[1])]
    shown = keys[:MAX_SERIES]
    series = shown + ([other_label] if len(keys) > MAX_SERIES else [])
    cells: dict[tuple[datetime.date, str], int] = {}
    for row in rows:
        key = row["key"] if row["key"] in shown else other_label
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        cells[(month, key)] = cells.get((month, key), 0) + max(0, row["amount"])
    month_totals = [sum(cells.get((m, k), 0) for k in series) for m in months]
    peak = _nice_ceiling(max([*month_totals, 1]))
    left, top, bottom, legend_w = 56, 28, 36, 150
    plot_w, plot_h = width - left - legend_w - 10, height - top - bottom
    slot = plot_w / max(1, len(months))
    bar_w = slot * 0.6
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart" font-family="sans-serif" font-size="11">',
             f'<title>{escape(title)}</title>']
    for i in range(5):  # grid lines with amounts
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#6b7280">'
                     f'{escape(_yen_short(int(value)))}</text>')
    for index, month in enumerate(months):
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h
        for series_index, key in enumerate(series):
            amount = cells.get((month, key), 0)
            if not amount:
                continue
            h = plot_h * amount / peak
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[series_index]}"><title>{escape(key)} {month:%Y/%m} '
                         f'¥{amount:,}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                     f'fill="#374151">{month:%Y/%m}</text>')
        if month_totals[index]:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="#111827">'
                         f'{escape(_yen_short(month_totals[index]))}</text>')
    legend_x = left + plot_w + 16
    for series_index, key in enumerate(series):
        y = top + series_index * 18
        parts.append(f'<rect x="{legend_x}" y="{y}" width="10" height="10" fill="{PALETTE[series_index]}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{y + 9}" fill="#374151">{escape(key[:12])}</text>')
    if not rows:
        parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
                     f'fill="#9ca3af">データがありません</text>')
    parts.append("</svg>")
    return "".join(parts)


def month_range(first: datetime.date, today: datetime.date) -> list[datetime.date]:
    months = []
    current = first.replace(day=1)
    while current <= today:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months
