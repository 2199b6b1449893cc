"""Accounting writes: posting (R10), reversal, journal export batches and 全銀 payment batches.

Every entry point for users is a ``check_*`` (role + state checks) calling an atomic ``do_*``.
"""

from accounting.services.exports import (
    EXPORT_FORMATS,
    check_cancel_export,
    check_export_journal,
    do_build_export_file,
    do_export_journal,
    exports_dir,
    make_exporter,
    open_export_file,
)
from accounting.services.payments import (
    check_create_payment_batch,
    check_mark_batch_paid,
    do_create_payment_batch,
)
from accounting.services.posting import (
    ACCOUNTS_PAYABLE,
    check_post_claim,
    check_reverse_claim,
    decide_line_tax,
    do_post_claim,
    employee_sub_account,
)

__all__ = [
    "ACCOUNTS_PAYABLE", "EXPORT_FORMATS", "check_cancel_export", "check_create_payment_batch", "check_export_journal",
    "check_mark_batch_paid", "check_post_claim", "check_reverse_claim", "decide_line_tax", "do_build_export_file",
    "do_create_payment_batch", "do_export_journal", "do_post_claim", "employee_sub_account", "exports_dir",
    "make_exporter", "open_export_file",
]
