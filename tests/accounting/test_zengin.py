"""全銀協 総合振込 writer (formats.md §6; domain.md R11)."""

import datetime as dt
import io
from dataclasses import replace
from pathlib import Path

import pytest

from accounting.zengin import (
    BankProfile,
    Requester,
    Transfer,
    ZenginError,
    ZenginWriter,
    build_transfer_file,
)
from accounting.zengin.fields import c_field, n_field
from core.kana import KanaError, cp932_length, to_zengin_kana, to_zengin_kana_extended

GOLDEN = Path(__file__).resolve().parent.parent / "samples" / "golden" / "zengin.txt"

# §6.5: 振込指定日 04/25 — a Friday in 2025 (in 2026 it is a Saturday and must be refused)
PAY_DAY = dt.date(2025, 4, 25)

REQUESTER = Requester(
    code="1234567890",
    name="ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ",
    bank_code="0009",
    bank_name="ﾐﾂｲｽﾐﾄﾓ",
    branch_code="001",
    branch_name="ｼﾞﾝﾎﾞｳﾁﾖｳ",
    account_type="1",
    account_number="1234567",
)
YAMADA = Transfer(
    bank_code="0001",
    bank_name="ﾐｽﾞﾎ",
    branch_code="004",
    branch_name="ﾏﾙﾉｳﾁﾁﾕｳｵｳ",
    account_type="1",
    account_number="7654321",
    payee_name="ﾔﾏﾀﾞ ﾀﾛｳ",
    amount=15_800,
    customer_code1=1001,
)

# formats.md §6.5, verbatim
EXAMPLE_RECORDS = [
    "12101234567890ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ                            04250009ﾐﾂｲｽﾐﾄﾓ        001ｼﾞﾝﾎﾞｳﾁﾖｳ      11234567                 ",
    "20001ﾐｽﾞﾎ           004ﾏﾙﾉｳﾁﾁﾕｳｵｳ     000017654321ﾔﾏﾀﾞ ﾀﾛｳ                      00000158000000000100100000000007        ",
    "8000001000000015800" + " " * 101,
    "9" + " " * 119,
]


def records(data: bytes, crlf: bool = True) -> list[bytes]:
    if crlf:
        assert data.endswith(b"\r\n")
        return data.split(b"\r\n")[:-1]
    return [data[i : i + 120] for i in range(0, len(data), 120)]


def test_worked_example_matches_golden_file_byte_exact():
    data, summary = build_transfer_file(requester=REQUESTER, transfer_date=PAY_DAY, transfers=[YAMADA])
    expected = b"".join(r.encode("cp932") + b"\r\n" for r in EXAMPLE_RECORDS)
    assert data == expected
    assert data == GOLDEN.read_bytes()
    assert len(data) == 4 * 122 == 488
    assert (summary.count, summary.total, summary.bytes_written, summary.warnings) == (1, 15_800, 488, [])


def test_worked_example_fields_by_position():
    header, record, trailer, end = records(GOLDEN.read_bytes())
    assert header[0:1] == b"1" and header[1:3] == b"21" and header[3:4] == b"0"
    assert header[4:14] == b"1234567890"
    assert header[54:58] == b"0425"
    assert (header[58:62], header[77:80], header[95:96], header[96:103]) == (
        b"0009",
        b"001",
        b"1",
        b"1234567",
    )
    assert record[38:42] == b"0000"  # 手形交換所番号
    assert record[42:43] == b"1" and record[43:50] == b"7654321"
    assert record[50:80].decode("cp932").rstrip() == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert record[80:90] == b"0000015800"
    assert record[90:91] == b"0"  # 新規コード
    assert record[91:101] == b"0000001001" and record[101:111] == b"0000000000"
    assert record[111:112] == b"7" and record[112:113] == b" " and record[113:120] == b" " * 7
    assert trailer[1:7] == b"000001" and trailer[7:19] == b"000000015800"
    assert end == b"9" + b" " * 119


def test_every_record_is_120_bytes_and_trailer_totals():
    payees = [
        replace(YAMADA, amount=amount, customer_code1=i)
        for i, amount in enumerate([1, 15_800, 9_999_999_999])
    ]
    data, summary = build_transfer_file(requester=REQUESTER, transfer_date=PAY_DAY, transfers=payees)
    recs = records(data)
    assert all(len(r) == 120 for r in recs)
    assert [r[0:1] for r in recs] == [b"1", b"2", b"2", b"2", b"8", b"9"]
    assert recs[3][80:90] == b"9999999999"
    assert recs[4][1:7] == b"000003"
    assert int(recs[4][7:19]) == 1 + 15_800 + 9_999_999_999 == summary.total
    assert summary.count == 3


def test_no_newline_profile_writes_one_stream():
    data, _ = build_transfer_file(
        requester=REQUESTER, transfer_date=PAY_DAY, transfers=[YAMADA], profile=BankProfile(crlf=False)
    )
    assert len(data) == 480 and b"\r" not in data and b"\n" not in data
    assert [r.decode("cp932") for r in records(data, crlf=False)] == EXAMPLE_RECORDS
    assert not data.endswith(b"\x1a")


def test_bank_profile_options():
    profile = BankProfile(transfer_designation="8", blank_clearing_house=True, blank_customer_codes=True)
    transfer = replace(YAMADA, customer_code1=None)
    data, _ = build_transfer_file(
        requester=REQUESTER, transfer_date=PAY_DAY, transfers=[transfer], profile=profile
    )
    record = records(data)[1]
    assert record[38:42] == b"    "
    assert record[91:111] == b" " * 20
    assert record[111:112] == b"8"


def test_edi_information_sets_identification_y():
    data, _ = build_transfer_file(
        requester=REQUESTER, transfer_date=PAY_DAY, transfers=[replace(YAMADA, edi="ER-2025-0042")]
    )
    record = records(data)[1]
    assert record[91:111] == b"ER-2025-0042        "
    assert record[112:113] == b"Y"


# ---- R11: 振込指定日 must be a bank business day ---------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 4, 25),
        dt.date(2026, 5, 6),
        dt.date(2026, 9, 22),
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 4 - 1),
    ],
)
def test_r11_transfer_date_must_be_a_bank_business_day(day):
    out = io.BytesIO()
    with pytest.raises(ZenginError, match="not a bank business day"):
        ZenginWriter().write(out, requester=REQUESTER, transfer_date=day, transfers=[YAMADA])
    assert out.getvalue() == b""  # refused before anything is written


def test_r11_admin_overrides_reach_the_calendar():
    holiday = dt.date(2025, 4, 25)
    with pytest.raises(ZenginError):
        build_transfer_file(
            requester=REQUESTER, transfer_date=holiday, transfers=[YAMADA], extra_holidays={holiday}
        )
    data, _ = build_transfer_file(
        requester=REQUESTER,
        transfer_date=dt.date(2026, 4, 25),
        transfers=[YAMADA],
        extra_business_days={dt.date(2026, 4, 25)},
    )
    assert records(data)[0][54:58] == b"0425"


# ---- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1, 10_000_000_000, 1.5, True])
def test_bad_amounts_are_refused(amount):
    with pytest.raises(ZenginError, match="振込金額"):
        build_transfer_file(
            requester=REQUESTER, transfer_date=PAY_DAY, transfers=[replace(YAMADA, amount=amount)]
        )


def test_kanji_payee_is_refused_not_dropped():
    with pytest.raises(ZenginError, match="受取人名") as exc:
        build_transfer_file(
            requester=REQUESTER, transfer_date=PAY_DAY, transfers=[replace(YAMADA, payee_name="山田太郎")]
        )
    assert "data record 1" in str(exc.value)


def test_full_width_kana_is_normalised_and_long_names_warn():
    long_name = "ﾔﾏﾀﾞ ﾀﾛｳｻﾌﾞﾛｳｼﾛｳｺﾞﾛｳﾛｸﾛｳｼﾁﾛｳﾊﾁﾛｳ"  # 32 bytes
    data, summary = build_transfer_file(
        requester=REQUESTER,
        transfer_date=PAY_DAY,
        transfers=[replace(YAMADA, payee_name="やまだ　たろう"), replace(YAMADA, payee_name=long_name)],
    )
    recs = records(data)
    assert recs[1][50:80].decode("cp932").rstrip() == "ﾔﾏﾀﾞ ﾀﾛｳ"
    assert recs[2][50:80].decode("cp932") == long_name[:30]
    assert summary.warnings == [f"data record 2 受取人名: {long_name!r} is 32 bytes; cut to 30"]


def test_zengin_code_full_width_bank_names_are_accepted():
    from zengin_code import Bank

    bank = Bank.all["0009"]
    transfer = replace(YAMADA, bank_code=bank.code, bank_name=bank.kana)  # ミツイスミトモ
    data, _ = build_transfer_file(requester=REQUESTER, transfer_date=PAY_DAY, transfers=[transfer])
    assert records(data)[1][5:20].decode("cp932") == "ﾐﾂｲｽﾐﾄﾓ".ljust(15)


@pytest.mark.parametrize(
    ("field", "value"),
    [("bank_code", "001"), ("branch_code", "04"), ("account_number", "12345678"), ("account_type", "3")],
)
def test_bad_codes_are_refused(field, value):
    with pytest.raises(ZenginError):
        build_transfer_file(
            requester=REQUESTER, transfer_date=PAY_DAY, transfers=[replace(YAMADA, **{field: value})]
        )


def test_empty_file_is_refused():
    with pytest.raises(ZenginError, match="at least one"):
        build_transfer_file(requester=REQUESTER, transfer_date=PAY_DAY, transfers=[])


def test_extended_profile_keeps_wo_and_dot():
    data, _ = build_transfer_file(
        requester=REQUESTER,
        transfer_date=PAY_DAY,
        transfers=[replace(YAMADA, payee_name="ヲノ.ｶ")],
        profile=BankProfile(charset="extended"),
    )
    assert records(data)[1][50:56].decode("cp932") == "ｦﾉ.ｶ  "
    strict, _ = build_transfer_file(
        requester=REQUESTER, transfer_date=PAY_DAY, transfers=[replace(YAMADA, payee_name="ヲノ.ｶ")]
    )
    assert records(strict)[1][50:56].decode("cp932") == "ｵﾉ ｶ  "


def test_field_encoders():
    assert n_field(1001, 10) == "0000001001"
    assert c_field("ｶﾞ", 4) == "ｶﾞ  "  # ｶﾞ is two bytes
    with pytest.raises(ZenginError):
        n_field("12a", 4)
    with pytest.raises(ZenginError):
        n_field(12345, 4)
    with pytest.raises(ZenginError, match="full-width"):
        c_field("カ", 4)
    with pytest.raises(ZenginError, match="more than 2"):
        c_field("ABC", 2)


# ---- §6.6 kana recipe vectors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kana"),
    [
        ("やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("キャッシュ・フロー", "ｷﾔﾂｼﾕ ﾌﾛ-"),
        ("ジョン・スミス", "ｼﾞﾖﾝ ｽﾐｽ"),
        ("ヴァレンタイン", "ｳﾞｱﾚﾝﾀｲﾝ"),
        ("ｽｽﾞｷ ｲﾁﾛｰ", "ｽｽﾞｷ ｲﾁﾛ-"),
        ("ヲノ ヰサム", "ｵﾉ ｲｻﾑ"),
    ],
)
def test_kana_recipe_vectors(raw, kana):
    assert to_zengin_kana(raw) == kana
    assert cp932_length(kana) == len(kana)


@pytest.mark.parametrize(("raw", "kana"), [("ヲノ ヰサム", "ｦﾉ ｲｻﾑ"), ("ｶ)ABC.", "ｶ)ABC."), ("￥", "\\")])
def test_extended_kana_profile(raw, kana):
    assert to_zengin_kana_extended(raw) == kana


def test_kana_rejects_kanji():
    with pytest.raises(KanaError) as exc:
        to_zengin_kana("山田")
    assert exc.value.bad_chars == "山田"
