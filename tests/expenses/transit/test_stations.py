"""駅データ.jp station CSV (formats.md §8.1) and station-name normalisation."""

from datetime import date
from decimal import Decimal

import pytest

from expenses.transit.stations import (
    StationImportError,
    StationStatus,
    index_by_normalized_name,
    normalize_station_name,
    parse_station_csv,
    same_station,
)

HEADER = (
    "station_cd,station_g_cd,station_name,station_name_k,station_name_r,line_cd,pref_cd,post,address,"
    "lon,lat,open_ymd,close_ymd,e_status,e_sort"
)
TOKYO = (
    "1130101,1130101,東京,,,11301,13,100-0005,東京都千代田区丸の内一丁目,"
    "139.766103,35.681391,1872-10-14,,0,1130101"
)
SHINAGAWA = (
    "1130103,1130103,品川,,,11301,13,108-0074,東京都港区高輪三丁目,139.738999,35.62876,0000-00-00,,0,1130103"
)
CLOSED = "9999901,9999901,廃駅,,,99999,01,,,141.0,43.0,1900-01-01,1980-03-31,2,9999901"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_it_parses_stations_with_codes_coordinates_and_status():
    result = parse_station_csv(csv_bytes(TOKYO, SHINAGAWA, CLOSED))
    assert result.errors == []
    tokyo, shinagawa, closed = result.stations
    assert (tokyo.code, tokyo.group_code, tokyo.name, tokyo.line_code, tokyo.prefecture_code) == (
        "1130101",
        "1130101",
        "東京",
        "11301",
        "13",
    )
    assert tokyo.lat == Decimal("35.681391")
    assert tokyo.lon == Decimal("139.766103")
    assert tokyo.status is StationStatus.OPERATING
    assert tokyo.open_date == date(1872, 10, 14)
    assert tokyo.address == "東京都千代田区丸の内一丁目"
    assert tokyo.line_number == 2
    assert shinagawa.open_date is None  # 0000-00-00 means unknown
    assert closed.status is StationStatus.CLOSED
    assert closed.close_date == date(1980, 3, 31)


def test_older_files_with_add_column_and_bom():
    header = HEADER.replace(",address,", ",add,")
    data = b"\xef\xbb\xbf" + csv_bytes(TOKYO, header=header)
    result = parse_station_csv(data)
    assert result.stations[0].address == "東京都千代田区丸の内一丁目"


def test_text_input_is_accepted():
    assert parse_station_csv("\ufeff" + csv_bytes(TOKYO).decode()).stations[0].name == "東京"


def test_bad_rows_are_reported_with_line_numbers_and_good_rows_still_load():
    bad_status = TOKYO.replace(",0,1130101", ",7,1130101").replace("1130101,1130101,東京", "1,1,A")
    bad_coordinates = SHINAGAWA.replace("139.738999", "east")
    bad_code = "abc,1,名無し,,,1,13,,,139,35,,,0,1"
    bad_date = CLOSED.replace("1980-03-31", "1980/03/31")
    short = "1130105,1130105,新橋"
    result = parse_station_csv(csv_bytes(TOKYO, bad_status, bad_coordinates, "", bad_code, bad_date, short))
    assert [s.name for s in result.stations] == ["東京"]
    assert [e.line_number for e in result.errors] == [3, 4, 6, 7, 8]
    messages = [e.message for e in result.errors]
    assert "3 行目" in messages[0] and "e_status" in messages[0]
    assert "緯度経度" in messages[1]
    assert "駅コード" in messages[2]
    assert "日付" in messages[3]
    assert "列が足りません" in messages[4]


def test_out_of_range_coordinates_are_bad_rows():
    result = parse_station_csv(csv_bytes(TOKYO.replace("35.681391", "135.0")))
    assert result.stations == []
    assert result.errors[0].line_number == 2


def test_missing_columns_refuse_the_file():
    with pytest.raises(StationImportError) as excinfo:
        parse_station_csv(csv_bytes(TOKYO, header=HEADER.replace("lat,", "latitude,")))
    assert "lat" in excinfo.value.message
    assert excinfo.value.extra == {"missing_columns": ["lat"]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", "空"), (b"\x00\x01\x02", "バイナリ"), (HEADER.encode() + "\n東京".encode("cp932"), "UTF-8")],
)
def test_unreadable_files_are_refused(data, expected):
    with pytest.raises(StationImportError) as excinfo:
        parse_station_csv(data)
    assert expected in excinfo.value.message


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("霞ケ関", "霞ヶ関"),
        ("市ヶ谷", "市ケ谷駅"),
        ("御茶ノ水", "御茶の水"),
        ("品川駅", "品川"),
        ("ＪＲ難波", "JR難波"),
        ("大宮(埼玉県)", "大宮"),
        ("大宮（埼玉県）", "大宮"),
        (" 新 宿 ", "新宿"),
        ("YRP野比", "ｙｒｐ野比"),
        ("川﨑", "川崎"),
        ("髙田馬場", "高田馬場"),
    ],
)
def test_normalized_names_match_variants(a, b):
    assert normalize_station_name(a) == normalize_station_name(b)
    assert same_station(a, b)


def test_normaliser_keeps_distinct_names_apart():
    assert normalize_station_name("新橋") != normalize_station_name("新宿")
    assert normalize_station_name("駅") == "駅"  # never empty
    assert normalize_station_name("大宮(埼玉県)", strip_qualifier=False) != normalize_station_name("大宮")
    assert not same_station("", "")


def test_index_by_normalized_name_groups_lines_of_one_station():
    other_line = TOKYO.replace("1130101,1130101,東京,,,11301", "2800101,1130101,東京駅,,,28001")
    result = parse_station_csv(csv_bytes(TOKYO, other_line, SHINAGAWA))
    index = index_by_normalized_name(result.stations)
    assert [s.code for s in index["東京"]] == ["1130101", "2800101"]
    assert [s.code for s in index["品川"]] == ["1130103"]
