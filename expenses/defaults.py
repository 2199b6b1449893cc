"""Default master data from domain.md: tax rates (R6.1), the 交際費 limit (R8.1), categories (§13).

Used by the data migration and by tests that run after a transactional test flushed the tables.
"""

import datetime

CATEGORIES = [
    # code, name, account code, account name, kind, tax, receipt required, required from, attendees, hint
    ("TRANSIT", "電車・バス", "7411", "旅費交通費", "transit", "standard", True, 30000, False,
     "3万円未満の鉄道・バス運賃は公共交通機関特例により領収書不要です。"),
    ("TAXI", "タクシー", "7411", "旅費交通費", "taxi", "standard", True, None, False,
     "タクシーは公共交通機関特例の対象外です。登録番号付きの領収書が必要です。"),
    ("PARKING", "駐車場・高速代", "7411", "旅費交通費", "general", "standard", True, None, False, ""),
    ("TRAVEL", "国内出張（宿泊・日当）", "7411", "旅費交通費", "travel", "standard", False, None, False,
     "本人に支給する出張旅費・宿泊費・日当は出張旅費等特例により帳簿のみで保存できます。"),
    ("TRAVEL_OS", "海外出張", "7411", "旅費交通費", "overseas_travel", "out_of_scope", True, None, False,
     "海外出張の旅費・宿泊費・日当は消費税の対象外です。"),
    ("COMMUTE", "通勤費", "7412", "通勤費", "commuting", "standard", False, None, False, ""),
    ("MEETING", "会議費", "7421", "会議費", "meeting", "standard", True, None, True,
     "社外の方との飲食は1人あたり¥10,000以下なら交際費から除かれます。参加者を入力してください。"),
    ("ENTERTAIN", "交際費", "7422", "交際費", "entertainment", "standard", True, None, True,
     "接待の相手先（会社名・氏名）と人数を入力してください。"),
    ("SUPPLIES", "消耗品費", "7431", "消耗品費", "general", "standard", True, None, False,
     "10万円以上の備品は固定資産になるため経理に相談してください。"),
    ("COMMS", "通信費", "7441", "通信費", "general", "standard", True, None, False, ""),
    ("BOOKS", "新聞図書費", "7451", "新聞図書費", "general", "standard", True, None, False,
     "週2回以上発行の定期購読の新聞は軽減税率（8%）です。"),
    ("FEES", "支払手数料", "7461", "支払手数料", "general", "standard", True, None, False, ""),
    ("WELFARE", "福利厚生費", "7471", "福利厚生費", "general", "standard", True, None, False, ""),
    ("TRAINING", "研修費", "7481", "研修費", "general", "standard", True, None, False, ""),
    ("STAMPS", "印紙・租税公課", "7491", "租税公課", "general", "non_taxable", True, None, False,
     "郵便局で購入した収入印紙は非課税です。"),
]


def seed_default_data(TaxRate, DatedLimit, ExpenseCategory) -> None:
    """Idempotent: creates what is missing and leaves admins' edits alone."""
    if not TaxRate.objects.exists():
        TaxRate.objects.bulk_create([
            TaxRate(tax_category="standard", percent=8, valid_from=datetime.date(2014, 4, 1),
                    valid_to=datetime.date(2019, 9, 30)),
            TaxRate(tax_category="standard", percent=10, valid_from=datetime.date(2019, 10, 1)),
            TaxRate(tax_category="reduced", percent=8, valid_from=datetime.date(2019, 10, 1)),
        ])
    if not DatedLimit.objects.filter(key="entertainment_per_person").exists():
        DatedLimit.objects.bulk_create([
            DatedLimit(key="entertainment_per_person", amount=5000, valid_from=datetime.date(2006, 4, 1),
                       valid_to=datetime.date(2024, 3, 31)),
            DatedLimit(key="entertainment_per_person", amount=10000, valid_from=datetime.date(2024, 4, 1)),
        ])
    for order, row in enumerate(CATEGORIES, start=1):
        code, name, account_code, account_name, kind, tax, receipt, receipt_from, attendees, hint = row
        ExpenseCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name, "account_code": account_code, "account_name": account_name, "kind": kind,
                "default_tax_category": tax, "receipt_required": receipt,
                "receipt_required_from": receipt_from,
                "attendees_required": attendees, "hint": hint, "sort_order": order * 10,
            },
        )


def ensure_default_data() -> None:
    from django.contrib.auth.models import Group

    from expenses.models import DatedLimit, ExpenseCategory, TaxRate
    from people.roles import Role

    seed_default_data(TaxRate, DatedLimit, ExpenseCategory)
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    # The other apps' seed rows too: a flushed test database must look like a freshly migrated one.
    from accounting.defaults import ensure_accounting_data
    from approvals.defaults import ensure_default_policy
    from expenses.services.trips import ensure_transit_defaults

    ensure_transit_defaults()
    ensure_default_policy()
    ensure_accounting_data()
