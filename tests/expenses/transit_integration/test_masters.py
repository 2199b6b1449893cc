"""Route master and station imports (admin and commands), provider choice from settings."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from expenses.services.transit import get_fare_provider
from expenses.services.transit_masters import MasterImportError, do_import_route_master, do_import_stations
from expenses.transit.providers import EkispertProvider, NullProvider, parse_course_response
from expenses.transit.stations import StationImportError
from expenses.transit_models import RouteMaster, Station
from expenses.transit_selectors import list_station_suggestions

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
STATIONS = (
    "station_cd,station_g_cd,station_name,station_name_k,station_name_r,line_cd,pref_cd,post,address,lon,lat,"
    "open_ymd,close_ymd,e_status,e_sort\n"
    "1130101,1130101,東京,,,11301,13,100-0005,千代田区丸の内1,139.766103,35.681391,,,0,1130101\n"
    "1130102,1130102,有楽町,,,11301,13,,,139.763806,35.675441,,,0,1130102\n"
    "1130103,1130103,新橋,,,11301,13,,,139.758587,35.666195,,,0,1130103\n"
)


def test_route_master_csv_upserts_and_reports_bad_rows() -> None:
    data = ("出発駅,到着駅,経由,交通手段,IC運賃,きっぷ運賃,特急料金等,備考\n"
            "新宿,品川,,電車,208,210,,\n"
            "東京,新大阪,,新幹線,8910,8910,5810,のぞみ指定席\n"
            "新宿,渋谷,,電車,abc,,,\n"
            "横浜,大阪,,バス,60000,,,\n").encode("cp932")
    result = do_import_route_master(data)
    assert (result.created, result.updated) == (2, 0)
    assert [e[:4] for e in result.errors] == ["4 行目", "5 行目"]
    again = do_import_route_master("from_station,to_station,fare_ic\n新宿,品川,200\n".encode())
    assert (again.created, again.updated) == (0, 1)
    assert RouteMaster.objects.get(from_station="新宿").fare_ic == 200


def test_route_master_missing_columns() -> None:
    with pytest.raises(MasterImportError, match="見出し"):
        do_import_route_master(b"from,to\na,b\n")


def test_route_master_wrong_encoding() -> None:
    with pytest.raises(MasterImportError, match="文字コード"):
        do_import_route_master("from_station,to_station,fare_ic\n新宿,品川,1\n".encode("utf-16"))


def test_station_import_and_autocomplete(alice) -> None:
    result = do_import_stations(STATIONS.encode())
    assert (result.created, result.updated, result.errors) == (3, 0, [])
    assert do_import_stations(STATIONS.encode()).updated == 3
    assert Station.objects.count() == 3
    assert list_station_suggestions(alice, "有") == ["有楽町"]


def test_station_import_missing_columns() -> None:
    with pytest.raises(StationImportError, match="station_cd"):
        do_import_stations(b"name,lat\n")


def test_import_commands(tmp_path) -> None:
    stations = tmp_path / "station.csv"
    stations.write_text(STATIONS, encoding="utf-8")
    out = io.StringIO()
    call_command("import_stations", str(stations), stdout=out)
    assert "created=3" in out.getvalue()
    routes = tmp_path / "routes.csv"
    routes.write_text("from_station,to_station,fare_ic\n東京,新橋,178\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_routes", str(routes), stdout=out)
    assert "created=1" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import_routes", str(tmp_path / "missing.csv"))


def test_provider_is_chosen_in_settings(settings) -> None:
    assert isinstance(get_fare_provider(), NullProvider)
    settings.SEISAN_FARE_PROVIDER = "ekispert"
    settings.SEISAN_EKISPERT_API_KEY = "secret"
    settings.SEISAN_EKISPERT_TIMEOUT = 3
    provider = get_fare_provider()
    assert isinstance(provider, EkispertProvider) and provider.timeout == 3 and provider.api_key == "secret"


def test_saved_ekispert_response_parses() -> None:
    routes = parse_course_response((SAMPLES / "ekispert" / "course_search.json").read_bytes(), provider="ekispert")
    assert routes and routes[0].fare_oneway > 0


def test_admin_route_master_csv_import(admin_client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = admin_client.get("/admin/expenses/routemaster/")
    assert "CSV取込" in page.content.decode()
    upload = SimpleUploadedFile("r.csv", "from_station,to_station,fare_ic\n東京,新橋,178\n".encode())
    response = admin_client.post("/admin/expenses/routemaster/import-csv/", {"file": upload})
    assert response.status_code == 302 and RouteMaster.objects.filter(to_station="新橋").exists()
