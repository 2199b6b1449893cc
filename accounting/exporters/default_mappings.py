"""Default vendor vocabulary (formats.md §1.4, §2.3, §3.3, §4) — seed data for the per-tenant mapping table.

Nothing here is used directly by the exporters: they receive a ``VendorMapping``. The DB table seeds
from ``seed_rows()`` and builds ``VendorMapping`` objects from its (edited) rows.

Tax keys are ``TaxKey.code`` strings (``taxable/<rate>/<std|reduced>/<ratio>``, ``non_taxable``,
``out_of_scope``). Labels marked UNCONFIRMED in formats.md are shipped as best guesses; 経理 must check
them against the real product (formats.md §11) and edit the table.
"""

from collections.abc import Iterator, Mapping
from types import MappingProxyType

from accounting.exporters.base import VendorMapping

YAYOI = "yayoi"
FREEE = "freee"
MONEYFORWARD = "moneyforward"
GENERIC = "generic"

RATIOS = (100, 80, 70, 50, 30, 0)

# internal account code → account name (domain.md §13, R10); all three products use these names by default
DEFAULT_ACCOUNTS: Mapping[str, str] = MappingProxyType(
    {
        "travel": "旅費交通費",
        "commuting": "通勤費",
        "meeting": "会議費",
        "entertainment": "交際費",
        "supplies": "消耗品費",
        "communication": "通信費",
        "books": "新聞図書費",
        "fees": "支払手数料",
        "welfare": "福利厚生費",
        "training": "研修費",
        "taxes_dues": "租税公課",
        "accounts_payable": "未払金",  # R10.2: employee claims go to 未払金, not 未払費用
        "ordinary_deposit": "普通預金",
        "advances": "仮払金",
        "cash": "現金",
    }
)


def _yayoi_tax_names() -> dict[str, str]:
    # <税区分><税計算区分><税率><請求書区分> (§1.4); {calc} becomes 込 / 内 from the company's 経理方式
    suffix = {100: "適格", 80: "区分80%", 70: "区分70%", 50: "区分50%", 30: "区分30%", 0: "区分控不"}
    names = {}
    for rate_key, rate in (("10/std", "10%"), ("8/reduced", "軽減8%")):
        for ratio in RATIOS:
            names[f"taxable/{rate_key}/{ratio}"] = f"課対仕入{{calc}}{rate}{suffix[ratio]}"
    names["taxable/8/std/100"] = "課対仕入{calc}8%"  # old standard rate, before 2019-10-01 (no 請求書区分)
    names["non_taxable"] = "非課仕入"
    names["out_of_scope"] = "対象外"
    return names


def _freee_tax_names() -> dict[str, str]:
    names = {"taxable/10/std/100": "課対仕入10%", "taxable/8/reduced/100": "課対仕入8%（軽）"}
    for ratio in RATIOS[1:-1]:  # full-width parentheses, no spaces (§2.3)
        names[f"taxable/10/std/{ratio}"] = f"課対仕入（控{ratio}）10%"
        names[f"taxable/8/reduced/{ratio}"] = f"課対仕入（控{ratio}）8%（軽）"
    # 0 %: no deduction at all; freee's label for it is unknown (UNCONFIRMED) → booked as 対象外
    names["taxable/10/std/0"] = "対象外"
    names["taxable/8/reduced/0"] = "対象外"
    names["taxable/8/std/100"] = "課対仕入8%"
    names["non_taxable"] = "非課仕入"
    names["out_of_scope"] = "対象外"
    return names


def _mf_tax_names() -> tuple[dict[str, str], dict[str, str]]:
    # 税区分 with a half-width space before the rate (§3.3); the ratio goes into the インボイス column
    tax = {}
    invoice = {}
    for rate_key, name in (("10/std", "課税仕入 10%"), ("8/reduced", "課税仕入 (軽)8%")):
        for ratio in RATIOS:
            code = f"taxable/{rate_key}/{ratio}"
            tax[code] = name
            invoice[code] = "適格" if ratio == 100 else ("控除不可" if ratio == 0 else f"{ratio}%控除")
    tax["taxable/8/std/100"] = "課税仕入 8%"
    invoice["taxable/8/std/100"] = ""
    tax["non_taxable"] = "非課税仕入"
    tax["out_of_scope"] = "対象外"
    return tax, invoice


_MF_TAX, _MF_INVOICE = _mf_tax_names()

YAYOI_MAPPING = VendorMapping(
    vendor=YAYOI,
    tax_names=MappingProxyType(_yayoi_tax_names()),
    accounts=DEFAULT_ACCOUNTS,
    accounting_method_marks=MappingProxyType({"tax_included": "込", "tax_excluded": "内"}),
)
FREEE_MAPPING = VendorMapping(
    vendor=FREEE,
    tax_names=MappingProxyType(_freee_tax_names()),
    accounts=DEFAULT_ACCOUNTS,
    # 収支区分 of an expense; 税計算区分 for tax-inclusive amounts (list UNCONFIRMED, §2.1)
    literals=MappingProxyType({"expense": "支出", "tax_inclusive": "内税"}),
)
MONEYFORWARD_MAPPING = VendorMapping(
    vendor=MONEYFORWARD,
    tax_names=MappingProxyType(_MF_TAX),
    invoice_names=MappingProxyType(_MF_INVOICE),
    accounts=DEFAULT_ACCOUNTS,
)
# The generic CSV writes the tax key itself; its tax names are the key codes.
GENERIC_MAPPING = VendorMapping(
    vendor=GENERIC,
    tax_names=MappingProxyType({code: code for code in _yayoi_tax_names()}),
    accounts=DEFAULT_ACCOUNTS,
)

DEFAULT_MAPPINGS: Mapping[str, VendorMapping] = MappingProxyType(
    {m.vendor: m for m in (YAYOI_MAPPING, FREEE_MAPPING, MONEYFORWARD_MAPPING, GENERIC_MAPPING)}
)


def seed_rows() -> Iterator[tuple[str, str, str, str]]:
    """(vendor, table, key, value) seed rows; table ∈ tax, invoice, account, mark, literal."""
    for mapping in DEFAULT_MAPPINGS.values():
        for table, values in (
            ("tax", mapping.tax_names),
            ("invoice", mapping.invoice_names),
            ("account", mapping.accounts),
            ("mark", mapping.accounting_method_marks),
            ("literal", mapping.literals),
        ):
            for key, value in values.items():
                yield mapping.vendor, table, key, value


def mapping_from_rows(vendor: str, rows: Iterator[tuple[str, str, str]]) -> VendorMapping:
    """Rebuild a VendorMapping from (table, key, value) rows read from the DB."""
    tables: dict[str, dict[str, str]] = {t: {} for t in ("tax", "invoice", "account", "mark", "literal")}
    for table, key, value in rows:
        tables[table][key] = value
    return VendorMapping(
        vendor=vendor,
        tax_names=tables["tax"],
        invoice_names=tables["invoice"],
        accounts=tables["account"],
        accounting_method_marks=tables["mark"],
        literals=tables["literal"],
    )
