"""IC history import (formats.md §7, domain.md R12). Pure parsing: no database."""

from datetime import date
from pathlib import Path

import pytest

from expenses.transit.ic_formats import (
    IcImportError,
    IcSource,
    TripKind,
    parse_mobile_suica_paste,
    parse_sfcard_viewer_csv,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "ic"

HEADER = "利用年月日,定期,鉄道会社名,入場駅/事業者名,定期,鉄道会社名,出場駅/降車場所,利用額(円),残額(円),メモ"
CARD = "カードID=01234567A8901234,,,,,,,,,"


def sfcard(*rows: str, header: str = HEADER, card: str = CARD, newline: str = "\r\n") -> bytes:
    lines = [line for line in (card, header) if line] + list(rows)
    return (newline.join(lines) + newline).encode("cp932")


def error_of(call, *args, **kwargs) -> IcImportError:
    with pytest.raises(IcImportError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value


# --- SFCard Viewer 2 --------------------------------------------------------------------------------


@pytest.fixture
def sample_result():
    return parse_sfcard_viewer_csv((SAMPLES / "sfcard_viewer.csv").read_bytes())


def test_sample_file_is_cp932_with_crlf():
    data = (SAMPLES / "sfcard_viewer.csv").read_bytes()
    assert b"\r\n" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert data.decode("cp932").startswith("カードID=")


def test_it_reads_card_id_and_claimable_trips(sample_result):
    result = sample_result
    assert result.source is IcSource.SFCARD_VIEWER
    assert result.card_id == "01234567A8901234"
    summary = [
        (t.line_number, t.kind, t.date, t.entry_station, t.exit_station, t.fare, t.balance)
        for t in result.trips
    ]
    assert summary == [
        (3, TripKind.TRANSIT, date(2020, 3, 21), "板橋", "越谷レイクタウン", 473, 2527),
        (4, TripKind.BUS, date(2020, 3, 20), "都営バス", "", 210, 3000),
        (6, TripKind.TRANSIT, date(2020, 3, 19), "品川", "新橋", 136, 3360),
        (8, TripKind.TRANSIT, date(2020, 3, 18), "秋葉原", "東京", 146, 3496),
    ]
    assert all(t.card_id == "01234567A8901234" for t in result.trips)
    assert all(isinstance(t.fare, int) and t.fare > 0 for t in result.trips)
    assert result.trips[0].entry_company == "JR東"
    assert result.trips[0].exit_company == "JR東"
    assert result.trips[3].memo == "窓出"
    assert result.duplicates == []


def test_r12_2_purchase_charge_and_zero_fare_pass_rows_are_ignored_with_a_reason(sample_result):
    ignored = {row.line_number: row for row in sample_result.ignored}
    assert sorted(ignored) == [5, 7, 9]
    assert ignored[5].row.kind is TripKind.PURCHASE
    assert "物販" in ignored[5].reason
    assert ignored[5].row.fare == 150
    assert ignored[7].row.kind is TripKind.TRANSIT
    assert ignored[7].row.on_pass is True
    assert "0 円" in ignored[7].reason
    assert ignored[9].row.kind is TripKind.CHARGE
    assert ignored[9].row.fare == 3000  # the charged amount, positive
    assert "チャージ" in ignored[9].reason


def test_r12_2_pass_marker_sets_on_pass(sample_result):
    on_pass = {t.line_number: t.on_pass for t in sample_result.trips}
    assert on_pass == {3: False, 4: False, 6: True, 8: False}


def test_pass_markers_are_configurable():
    data = sfcard("2020/03/19,1,JR東,品川,,JR東,新橋,136,3360,")
    assert parse_sfcard_viewer_csv(data).trips[0].on_pass is False
    assert parse_sfcard_viewer_csv(data, pass_markers=frozenset({"1"})).trips[0].on_pass is True


def test_it_accepts_lf_line_endings_and_full_width_header_parentheses():
    header = HEADER.replace("(円)", "（円）")
    result = parse_sfcard_viewer_csv(
        sfcard("2020/03/21,,JR東,板橋,,JR東,恵比寿,220,780,", header=header, newline="\n")
    )
    assert [(t.line_number, t.fare, t.balance) for t in result.trips] == [(3, 220, 780)]


def test_it_works_without_the_card_id_line_and_with_quoted_amounts():
    result = parse_sfcard_viewer_csv(sfcard('2020/3/1,,JR東,板橋,,JR東,東京,"1,340","10,000",', card=""))
    assert result.card_id == ""
    assert (result.trips[0].date, result.trips[0].fare, result.trips[0].balance) == (
        date(2020, 3, 1),
        1340,
        10000,
    )


def test_it_accepts_rows_without_the_trailing_memo_column():
    result = parse_sfcard_viewer_csv(sfcard("2020/03/21,,JR東,板橋,,JR東,恵比寿,220,780"))
    assert result.trips[0].memo == ""


def test_negative_amount_is_a_charge_even_without_memo():
    result = parse_sfcard_viewer_csv(sfcard("2020/03/21,,,,,,,-1000,1780,"))
    assert result.trips == []
    assert result.ignored[0].row.kind is TripKind.CHARGE


def test_row_without_stations_or_memo_is_other_and_ignored():
    result = parse_sfcard_viewer_csv(sfcard("2020/03/21,,,,,,,500,1780,"))
    assert result.trips == []
    assert result.ignored[0].row.kind is TripKind.OTHER


def test_utf8_file_with_japanese_is_refused_with_a_clear_message():
    text = (SAMPLES / "sfcard_viewer.csv").read_bytes().decode("cp932")
    err = error_of(parse_sfcard_viewer_csv, text.encode("utf-8"))
    assert "UTF-8" in err.message
    assert "Shift_JIS" in err.message
    err = error_of(parse_sfcard_viewer_csv, text.encode("utf-8-sig"))
    assert "UTF-8" in err.message


def test_utf8_can_be_allowed_explicitly():
    text = (SAMPLES / "sfcard_viewer.csv").read_bytes().decode("cp932")
    result = parse_sfcard_viewer_csv(text.encode("utf-8-sig"), accept_utf8=True)
    assert [t.fare for t in result.trips] == [473, 210, 136, 146]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "空"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "バイナリ"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel"),
        ("利用年月日,定期".encode("utf-16"), "UTF-16"),
    ],
)
def test_binary_and_other_encodings_are_refused(data, expected):
    assert expected in error_of(parse_sfcard_viewer_csv, data).message


def test_undecodable_bytes_report_their_line():
    data = sfcard("2020/03/21,,JR東,板橋,,JR東,恵比寿,220,780,").replace(b"220", b"\x81\x7f")
    err = error_of(parse_sfcard_viewer_csv, data)
    assert err.line_number == 3
    assert "3 行目" in err.message


def test_missing_columns_are_named_with_the_header_line():
    header = "利用年月日,定期,鉄道会社名,入場駅/事業者名,定期,鉄道会社名,出場駅/降車場所,利用額(円),メモ"
    err = error_of(parse_sfcard_viewer_csv, sfcard("2020/03/21,,JR東,板橋,,JR東,恵比寿,220,", header=header))
    assert err.line_number == 2
    assert "残額(円)" in err.message
    assert "2 行目" in err.message
    assert err.extra == {"line": 2}


def test_a_file_without_header_is_refused():
    err = error_of(parse_sfcard_viewer_csv, sfcard("2020/03/21,,JR東,板橋,,JR東,恵比寿,220,780,", header=""))
    assert "見出し" in err.message


def test_header_only_is_refused():
    assert "利用履歴の行がありません" in error_of(parse_sfcard_viewer_csv, sfcard()).message


@pytest.mark.parametrize("bad_date", ["2020/13/01", "2020/02/30", "20/03/21", "昨日"])
def test_bad_date_reports_line_number(bad_date):
    data = sfcard(
        "2020/03/21,,JR東,板橋,,JR東,恵比寿,220,780,",
        "2020/03/20,,JR東,板橋,,JR東,恵比寿,220,1000,",
        f"{bad_date},,JR東,板橋,,JR東,恵比寿,220,1220,",
    )
    err = error_of(parse_sfcard_viewer_csv, data)
    assert err.line_number == 5
    assert "5 行目" in err.message
    assert bad_date in err.message


def test_bad_amount_reports_line_and_column():
    err = error_of(parse_sfcard_viewer_csv, sfcard("2020/03/21,,JR東,板橋,,JR東,恵比寿,2百,780,"))
    assert (err.line_number, "利用額(円)" in err.message, "3 行目" in err.message) == (3, True, True)
    err = error_of(parse_sfcard_viewer_csv, sfcard("2020/03/21,,JR東,板橋,,JR東,恵比寿,220,7.5,"))
    assert "残額(円)" in err.message


def test_short_row_is_refused_with_its_line():
    err = error_of(parse_sfcard_viewer_csv, sfcard("2020/03/21,,JR東,板橋,,JR東"))
    assert err.line_number == 3
    assert "列が足りません" in err.message


def test_r12_3_duplicated_rows_in_one_file_are_reported_once():
    row = "2020/03/21,,JR東,板橋,,JR東,越谷レイクタウン,473,2527,"
    result = parse_sfcard_viewer_csv(sfcard(row, "2020/03/20,,JR東,板橋,,JR東,恵比寿,220,3000,", row))
    assert [t.line_number for t in result.trips] == [3, 4]
    assert len(result.duplicates) == 1
    duplicate = result.duplicates[0]
    assert (duplicate.line_number, duplicate.first_line_number) == (5, 3)
    assert "5 行目" in duplicate.message and "3 行目" in duplicate.message


def test_r12_3_same_ride_with_different_balance_is_not_a_duplicate():
    result = parse_sfcard_viewer_csv(
        sfcard(
            "2020/03/21,,JR東,板橋,,JR東,恵比寿,220,780,",
            "2020/03/21,,JR東,板橋,,JR東,恵比寿,220,1000,",
        )
    )
    assert len(result.trips) == 2
    assert result.duplicates == []


def test_r12_3_dedupe_key_and_hash():
    result = parse_sfcard_viewer_csv((SAMPLES / "sfcard_viewer.csv").read_bytes())
    trip = result.trips[0]
    assert trip.dedupe_key == ("01234567A8901234", "2020-03-21", "板橋", "越谷レイクタウン", 473, 2527)
    assert len(trip.dedupe_hash) == 64
    again = parse_sfcard_viewer_csv((SAMPLES / "sfcard_viewer.csv").read_bytes()).trips[0]
    assert again.dedupe_hash == trip.dedupe_hash  # a re-import of the same card is recognised
    assert len({t.dedupe_hash for t in result.trips}) == len(result.trips)


# --- モバイルSuica --------------------------------------------------------------------------------------


def test_mobile_suica_sample_paste_with_year_across_new_year():
    text = (SAMPLES / "mobile_suica_paste.txt").read_text(encoding="utf-8")
    result = parse_mobile_suica_paste(text, reference_date=date(2026, 1, 6), card_id="JE123")
    assert result.source is IcSource.MOBILE_SUICA
    summary = [
        (t.line_number, t.date, t.kind, t.entry_station, t.exit_station, t.fare, t.balance, t.on_pass)
        for t in result.trips
    ]
    assert summary == [
        (2, date(2026, 1, 5), TripKind.TRANSIT, "板橋", "恵比寿", 220, 780, False),
        (3, date(2026, 1, 4), TripKind.BUS, "都営バス", "", 210, 1000, False),
        (5, date(2025, 12, 28), TripKind.TRANSIT, "新宿", "高尾", 490, 1510, False),
        (6, date(2025, 12, 28), TripKind.TRANSIT, "品川", "浜松町", 136, 2000, True),
    ]
    assert all(t.card_id == "JE123" for t in result.trips)
    ignored = {row.line_number: row.row.kind for row in result.ignored}
    assert ignored == {4: TripKind.PURCHASE, 7: TripKind.CHARGE}


def test_mobile_suica_comma_form_from_formats_md():
    text = (
        "月日,種別,利用場所,種別,利用場所,残高,入金・利用額\n"
        '10/28,ｵｰﾄ,都六本木,,,"\\10,612","+10,000"\n'
        "10/28,入,板橋,出,恵比寿,\\780,-220\n"
    )
    result = parse_mobile_suica_paste(text, reference_date=date(2025, 10, 29))
    assert [(t.date, t.entry_station, t.exit_station, t.fare, t.balance) for t in result.trips] == [
        (date(2025, 10, 28), "板橋", "恵比寿", 220, 780)
    ]
    charge = result.ignored[0]
    assert (charge.line_number, charge.row.kind, charge.row.fare, charge.row.balance) == (
        2,
        TripKind.CHARGE,
        10000,
        10612,
    )


def test_mobile_suica_whitespace_separated_paste():
    text = (
        "10/28 ｵｰﾄ 都六本木 ¥10,612 +10,000\n"
        "10/27 入 板橋 出 恵比寿 ¥780 -220\n"
        "10/27 ﾊﾞｽ等 都営バス ¥1,000 −210\n"
        "10/26 入 **** 窓出 ¥1,210 -300\n"
    )
    result = parse_mobile_suica_paste(text, reference_date=date(2025, 10, 29))
    assert [(t.kind, t.entry_station, t.exit_station, t.fare) for t in result.trips] == [
        (TripKind.TRANSIT, "板橋", "恵比寿", 220),
        (TripKind.BUS, "都営バス", "", 210),
        (TripKind.TRANSIT, "****", "", 300),
    ]


def test_mobile_suica_page_text_is_skipped_not_fatal():
    text = (
        "SF（電子マネー）利用履歴\n\n10/27\t入\t板橋\t出\t恵比寿\t\\780\t-220\n次の20件\n2025年10月29日現在\n"
    )
    result = parse_mobile_suica_paste(text, reference_date=date(2025, 10, 29))
    assert len(result.trips) == 1
    assert [(row.line_number, row.row) for row in result.ignored] == [(1, None), (4, None), (5, None)]


def test_mobile_suica_explicit_year_is_kept():
    result = parse_mobile_suica_paste(
        "2024/10/27\t入\t板橋\t出\t恵比寿\t\\780\t-220", reference_date=date(2025, 10, 29)
    )
    assert result.trips[0].date == date(2024, 10, 27)


def test_mobile_suica_same_day_as_reference_is_this_year():
    result = parse_mobile_suica_paste(
        "10/29\t入\t板橋\t出\t恵比寿\t\\780\t-220", reference_date=date(2025, 10, 29)
    )
    assert result.trips[0].date == date(2025, 10, 29)


@pytest.mark.parametrize("bad", ["13/45", "10/28/", "1O/28"])
def test_mobile_suica_bad_date_reports_line_number(bad):
    text = f"10/28\t入\t板橋\t出\t恵比寿\t\\780\t-220\n{bad}\t入\t板橋\t出\t恵比寿\t\\1,000\t-220\n"
    err = error_of(parse_mobile_suica_paste, text, reference_date=date(2025, 10, 29))
    assert err.line_number == 2
    assert "2 行目" in err.message


def test_mobile_suica_feb_29_in_a_non_leap_year_is_an_error():
    err = error_of(
        parse_mobile_suica_paste, "02/29\t入\t板橋\t出\t恵比寿\t\\780\t-220", reference_date=date(2025, 3, 1)
    )
    assert err.line_number == 1


def test_mobile_suica_missing_columns_and_bad_amount():
    err = error_of(parse_mobile_suica_paste, "10/28\t入\t板橋\t出\t恵比寿", reference_date=date(2025, 10, 29))
    assert (err.line_number, "7 列" in err.message) == (1, True)
    err = error_of(
        parse_mobile_suica_paste, "10/28\t入\t板橋\t出\t恵比寿\t\\780\tabc", reference_date=date(2025, 10, 29)
    )
    assert "入金・利用額" in err.message


def test_mobile_suica_without_rows_or_with_binary_is_refused():
    assert (
        "見つかりません"
        in error_of(parse_mobile_suica_paste, "月日\t種別\n", reference_date=date(2025, 1, 1)).message
    )
    assert error_of(parse_mobile_suica_paste, "a\x00b", reference_date=date(2025, 1, 1)).message


def test_mobile_suica_pasted_twice_reports_duplicates():
    text = (SAMPLES / "mobile_suica_paste.txt").read_text(encoding="utf-8")
    result = parse_mobile_suica_paste(text + text, reference_date=date(2026, 1, 6))
    assert len(result.trips) == 4
    assert len(result.duplicates) == 6  # every row of the second copy, charges and 物販 included
    assert result.duplicates[0].first_line_number == 2


def test_mobile_suica_unknown_kind_is_other_and_shown():
    result = parse_mobile_suica_paste("10/28\t購\t\t\t\t\\780\t-1,000", reference_date=date(2025, 10, 29))
    assert result.trips == []
    assert result.ignored[0].row.kind is TripKind.OTHER
