"""IC-card history parsers: SFCard Viewer 2 CSV and a pasted モバイルSuica table (formats.md §7, R12).

Both return an `IcImportResult`: claimable rides (`trips`), rows that are not fares (`ignored`, with a
reason: charges, 物販, zero-fare pass rides — R12.2) and rows repeated inside the same file (`duplicates`).
A file that cannot be read at all raises `IcImportError` with a Japanese message naming the line.
"""

from expenses.transit.ic_common import (
    DuplicateIcRow,
    IcImportError,
    IcImportResult,
    IcSource,
    IcTrip,
    IgnoredIcRow,
    TripKind,
)
from expenses.transit.ic_mobile_suica import parse_mobile_suica_paste
from expenses.transit.ic_sfcard import parse_sfcard_viewer_csv

__all__ = [
    "DuplicateIcRow", "IcImportError", "IcImportResult", "IcSource", "IcTrip", "IgnoredIcRow", "TripKind",
    "parse_mobile_suica_paste", "parse_sfcard_viewer_csv",
]
