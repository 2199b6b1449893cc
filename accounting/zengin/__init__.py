"""全銀協 総合振込 fixed-length file (formats.md §6)."""

from accounting.zengin.fields import ZenginError
from accounting.zengin.writer import (
    BankProfile,
    Requester,
    Transfer,
    TransferFileSummary,
    ZenginWriter,
    build_transfer_file,
)

__all__ = [
    "BankProfile",
    "Requester",
    "Transfer",
    "TransferFileSummary",
    "ZenginError",
    "ZenginWriter",
    "build_transfer_file",
]
