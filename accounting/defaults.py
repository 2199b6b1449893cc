"""Seed rows for the accounting tables (idempotent; admins' edits are kept)."""

from accounting.exporters.default_mappings import DEFAULT_ACCOUNTS, seed_rows
from accounting.rules.tax_category import SCHEDULES
from expenses.defaults import CATEGORIES


def seed_accounting_data(Account, TaxCategoryMapping, DeductionScheduleRow) -> None:
    accounts = dict(DEFAULT_ACCOUNTS)
    accounts.update({row[2]: row[3] for row in CATEGORIES})  # category account codes (7411 旅費交通費 …)
    for code, name in accounts.items():
        Account.objects.get_or_create(code=code, defaults={"name": name})
    existing = set(TaxCategoryMapping.objects.values_list("vendor", "table", "key"))
    TaxCategoryMapping.objects.bulk_create([
        TaxCategoryMapping(vendor=vendor, table=table, key=key, value=value)
        for vendor, table, key, value in seed_rows() if (vendor, table, key) not in existing
    ])
    for schedule in SCHEDULES.values():
        if DeductionScheduleRow.objects.filter(schedule=schedule.name).exists():
            continue
        DeductionScheduleRow.objects.bulk_create([
            DeductionScheduleRow(schedule=schedule.name, valid_from=row.valid_from, valid_to=row.valid_to,
                                 ratio=row.ratio)
            for row in schedule.rows
        ])


def ensure_accounting_data() -> None:
    from accounting.models import Account, DeductionScheduleRow, TaxCategoryMapping

    seed_accounting_data(Account, TaxCategoryMapping, DeductionScheduleRow)
