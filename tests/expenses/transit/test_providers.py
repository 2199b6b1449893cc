"""Fare providers (formats.md §9). Saved responses and local sockets only: never an external host."""

import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from expenses.transit.providers import (
    EkispertProvider,
    FareProvider,
    FareProviderUnavailable,
    NullProvider,
    Route,
    as_list,
    parse_course_response,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "ekispert"
DAY = date(2026, 9, 1)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy from the environment would send our 127.0.0.1 requests elsewhere.
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# --- parser -------------------------------------------------------------------------------------------


def test_as_list_wraps_single_elements():
    assert as_list(None) == []
    assert as_list({"a": 1}) == [{"a": 1}]
    assert as_list([1, 2]) == [1, 2]


def test_it_parses_the_documented_course_response():
    routes = parse_course_response(sample("course_search.json"))
    assert len(routes) == 1
    route = routes[0]
    assert isinstance(route, Route)
    assert (route.fare_oneway, route.fare_round) == (210, 420)  # Price[kind=FareSummary]
    assert (route.charges, route.charges_round) == (530, 1060)  # ChargeSummary
    assert route.total_oneway == 740
    assert route.minutes == 16  # timeOther 4 + timeOnBoard 12 + timeWalk 0
    assert route.transfers == 0
    assert [(p.name, p.code, p.prefecture_code) for p in route.points] == [
        ("東京", "22828", "13"),
        ("品川", "22709", ""),
    ]
    assert [(line.name, line.type, line.minutes_on_board, line.distance) for line in route.lines] == [
        ("ＪＲ山手線外回り", "train", 12, 68)
    ]
    assert route.pass_prices == {"Teiki1Summary": 6240}
    assert (route.provider, route.engine_version, route.serialize_data) == ("ekispert", "...", "...")
    assert route.raw["searchType"] == "plain"
    assert all(
        isinstance(value, int)
        for value in (route.fare_oneway, route.fare_round, route.charges, route.minutes)
    )


def test_it_parses_single_elements_not_wrapped_in_lists():
    routes = parse_course_response(sample("course_search_single.json").decode("utf-8"))
    assert len(routes) == 1
    route = routes[0]
    assert (route.fare_oneway, route.fare_round, route.charges, route.charges_round) == (237, 474, 0, 0)
    assert route.minutes == 20
    assert [line.type for line in route.lines] == ["train"]  # {"text": "train", ...}
    assert [p.name for p in route.points] == ["東京", "中野(東京都)"]
    assert route.engine_version == "202609_01a"
    assert route.serialize_data == "VkV4QaECp9jEAsQCqQYBRn9gwQOpCVsA"


def test_missing_summaries_fall_back_to_selected_sections():
    payload = {
        "ResultSet": {
            "Course": {
                "Price": [
                    {"kind": "Fare", "selected": "true", "Oneway": "200"},
                    {"kind": "Fare", "selected": "true", "Oneway": "170"},
                    {"kind": "Charge", "selected": "false", "Oneway": "1000"},
                    {"kind": "Charge", "selected": "true", "Oneway": "500"},
                ],
                "Route": {"timeOnBoard": "30"},
            }
        }
    }
    route = parse_course_response(payload)[0]
    assert (route.fare_oneway, route.fare_round, route.charges, route.charges_round) == (370, 740, 500, 1000)
    assert route.minutes == 30


def test_no_course_is_an_empty_list():
    assert parse_course_response({"ResultSet": {"apiVersion": "1.27.0.0"}}) == []


def test_w403_is_an_auth_error():
    with pytest.raises(FareProviderUnavailable) as excinfo:
        parse_course_response(sample("error_w403.json"))
    assert excinfo.value.code == "auth"
    assert excinfo.value.provider_code == "W403"
    assert "認証" in excinfo.value.message


def test_e102_names_the_stations():
    with pytest.raises(FareProviderUnavailable) as excinfo:
        parse_course_response(sample("error_e102.json"), from_name="大宮", to_name="東京")
    assert excinfo.value.code == "unknown_station"
    assert "大宮" in excinfo.value.message


def test_other_api_errors_keep_the_code():
    with pytest.raises(FareProviderUnavailable) as excinfo:
        parse_course_response({"ResultSet": {"Error": [{"code": "E999", "Message": "何か"}]}})
    assert excinfo.value.code == "api_error"
    assert "E999" in excinfo.value.message


@pytest.mark.parametrize(
    "payload",
    [
        b"<html>bad gateway</html>",
        {"Result": {}},
        {"ResultSet": {"Course": {"Price": {"kind": "FareSummary", "Oneway": "210.5"}, "Route": {}}}},
        {"ResultSet": {"Course": {"Price": {"kind": "FareSummary", "Oneway": "210"}, "Route": "x"}}},
    ],
)
def test_malformed_responses_are_bad_response(payload):
    with pytest.raises(FareProviderUnavailable) as excinfo:
        parse_course_response(payload)
    assert excinfo.value.code == "bad_response"


# --- providers ----------------------------------------------------------------------------------------


def test_null_provider_satisfies_the_protocol_and_finds_nothing():
    provider: FareProvider = NullProvider()
    assert provider.search("東京", "品川", on_date=DAY, ic=True) == []


def test_course_url_carries_the_documented_parameters():
    provider = EkispertProvider("KEY", base_url="https://example.invalid/", condition_detail_ic="IC-RAW")
    url = provider.course_url("22741", "22715", on_date=DAY, ic=True, via=("22828",))
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert parts.path == "/v1/json/search/course/extreme"
    assert query["viaList"] == "22741:22828:22715"
    assert (query["key"], query["date"], query["searchType"], query["conditionDetail"]) == (
        "KEY",
        "20260901",
        "plain",
        "IC-RAW",
    )
    ticket = dict(
        urllib.parse.parse_qsl(
            urllib.parse.urlsplit(provider.course_url("a", "b", on_date=DAY, ic=False)).query
        )
    )
    assert "conditionDetail" not in ticket  # UNCONFIRMED encoding: nothing sent unless configured


def test_only_http_base_urls_are_allowed():
    with pytest.raises(ValueError):
        EkispertProvider("KEY", base_url="file:///etc/passwd")


class _Handler(BaseHTTPRequestHandler):
    status = 200
    body = b""
    paths: list[str] = []

    def do_GET(self) -> None:
        type(self).paths.append(self.path)
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"paths": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_search_against_a_local_server(http_server):
    base_url, handler = http_server
    handler.body = sample("course_search.json")
    routes = EkispertProvider("KEY", base_url=base_url, timeout=2).search(
        "東京", "品川", on_date=DAY, ic=True
    )
    assert [(r.fare_oneway, r.charges, r.minutes, r.provider) for r in routes] == [(210, 530, 16, "ekispert")]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.paths[0]).query))
    assert query["viaList"] == "東京:品川"


def test_error_body_with_http_status_is_read_as_api_error(http_server):
    base_url, handler = http_server
    handler.status, handler.body = 403, sample("error_w403.json")
    with pytest.raises(FareProviderUnavailable) as excinfo:
        EkispertProvider("BAD", base_url=base_url, timeout=2).search("東京", "品川", on_date=DAY, ic=True)
    assert excinfo.value.code == "auth"


def test_e102_from_the_server(http_server):
    base_url, handler = http_server
    handler.status, handler.body = 400, sample("error_e102.json")
    with pytest.raises(FareProviderUnavailable) as excinfo:
        EkispertProvider("KEY", base_url=base_url, timeout=2).search(
            "存在しない駅", "品川", on_date=DAY, ic=True
        )
    assert excinfo.value.code == "unknown_station"
    assert "存在しない駅" in excinfo.value.message


def test_http_error_without_json_body(http_server):
    base_url, handler = http_server
    handler.status, handler.body = 502, b"Bad Gateway"
    with pytest.raises(FareProviderUnavailable) as excinfo:
        EkispertProvider("KEY", base_url=base_url, timeout=2).search("東京", "品川", on_date=DAY, ic=True)
    assert (excinfo.value.code, excinfo.value.provider_code) == ("http_error", "502")
    assert "502" in excinfo.value.message


def test_timeout_on_a_server_that_never_answers():
    # The kernel completes the TCP handshake from the listen backlog; nobody ever reads or replies.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        provider = EkispertProvider("KEY", base_url=f"http://127.0.0.1:{port}", timeout=0.3)
        with pytest.raises(FareProviderUnavailable) as excinfo:
            provider.search("東京", "品川", on_date=DAY, ic=True)
    assert excinfo.value.code == "timeout"
    assert "0.3 秒" in excinfo.value.message


def test_connection_refused_is_a_network_error():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port is closed again: connecting is refused immediately.
    provider = EkispertProvider("KEY", base_url=f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(FareProviderUnavailable) as excinfo:
        provider.search("東京", "品川", on_date=DAY, ic=False)
    assert excinfo.value.code == "network"
    assert "接続できませんでした" in excinfo.value.message


def test_unavailable_error_carries_code_for_the_api_layer():
    err = FareProviderUnavailable("x", code="timeout")
    assert err.extra == {"code": "timeout", "provider_code": ""}
    assert json.dumps(err.extra)
