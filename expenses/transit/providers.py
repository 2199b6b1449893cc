"""Route and fare providers (formats.md §9): the `FareProvider` protocol, `NullProvider` (default) and
`EkispertProvider` for 駅すぱあと Web サービス course search.

Stdlib HTTP only (urllib), no new dependency. The JSON parser is a module function so it can be tested on
saved responses without a network.
"""

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.utils.translation import gettext

from core.exceptions import ApplicationError


class FareProviderUnavailable(ApplicationError):
    """The provider could not give an answer; the user can still type the fare (R12.5).

    `code`: timeout / network / auth / unknown_station / api_error / bad_response / http_error.
    """

    def __init__(self, message: str, *, code: str, provider_code: str = "") -> None:
        super().__init__(message, extra={"code": code, "provider_code": provider_code})
        self.code = code
        self.provider_code = provider_code


@dataclass(frozen=True)
class RoutePoint:
    name: str
    code: str = ""  # 駅すぱあと 駅コード: stable across renamings, store it (§9.1)
    prefecture_code: str = ""


@dataclass(frozen=True)
class RouteLine:
    name: str
    type: str = ""  # train / bus / plane / ship / walk …, as the provider names it
    minutes_on_board: int = 0
    distance: int | None = None  # provider units (駅すぱあと: 0.1 km, UNCONFIRMED)


@dataclass(frozen=True)
class Route:
    fare_oneway: int  # yen
    fare_round: int
    minutes: int
    transfers: int
    points: tuple[RoutePoint, ...]
    lines: tuple[RouteLine, ...]
    charges: int  # 特急料金 etc., one way (yen)
    raw: dict[str, Any]
    provider: str
    engine_version: str = ""
    serialize_data: str = ""  # store with the claim line to reproduce the route (§9.1)
    charges_round: int = 0
    pass_prices: dict[str, int] = field(default_factory=dict)  # Teiki1Summary → 1-month pass price, …

    @property
    def total_oneway(self) -> int:
        return self.fare_oneway + self.charges


class FareProvider(Protocol):
    name: str

    def search(
        self,
        from_name_or_code: str,
        to_name_or_code: str,
        *,
        on_date: date,
        ic: bool,
        via: Sequence[str] = (),
    ) -> list[Route]: ...


class NullProvider:
    """Route search switched off (the default): no candidates, the employee enters the fare."""

    name = "null"

    def search(
        self,
        from_name_or_code: str,
        to_name_or_code: str,
        *,
        on_date: date,
        ic: bool,
        via: Sequence[str] = (),
    ) -> list[Route]:
        return []


# --- 駅すぱあと JSON ----------------------------------------------------------------------------------


def as_list(value: Any) -> list[Any]:
    """駅すぱあと JSON is converted from XML: one element comes as an object, several as a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _text(value: Any) -> str:
    """Leaf values are strings, or objects with a `text` member when the XML element had attributes."""
    if isinstance(value, dict):
        value = value.get("text", "")
    return "" if value is None else str(value)


def _bad_response(detail: str) -> FareProviderUnavailable:
    return FareProviderUnavailable(
        gettext("駅すぱあとの応答を解釈できませんでした（%(detail)s）。運賃を手入力してください。")
        % {"detail": detail},
        code="bad_response",
    )


def _int(value: Any, *, name: str, default: int | None = None) -> int:
    """Numbers arrive as strings ("210"); never accept fractional yen."""
    text = _text(value).strip()
    if not text:
        if default is None:
            raise _bad_response(name)
        return default
    try:
        return int(text)
    except ValueError:
        raise _bad_response(f"{name}={text}") from None


def _error_from_result(error: Any, *, from_name: str = "", to_name: str = "") -> FareProviderUnavailable:
    first = as_list(error)[0] if as_list(error) else {}
    code = _text(first.get("code")) if isinstance(first, dict) else ""
    message = _text(first.get("Message")) if isinstance(first, dict) else ""
    if code == "W403":
        return FareProviderUnavailable(
            gettext("駅すぱあとの認証に失敗しました。管理者はアクセスキーを確認してください。"),
            code="auth",
            provider_code=code,
        )
    if code == "E102":
        return FareProviderUnavailable(
            gettext(
                "駅名「%(stations)s」を駅すぱあとで特定できませんでした。"
                "駅名を確認するか、候補から駅を選んでください。"
            )
            % {"stations": "・".join(name for name in (from_name, to_name) if name) or "?"},
            code="unknown_station",
            provider_code=code,
        )
    return FareProviderUnavailable(
        gettext("駅すぱあとがエラーを返しました（%(code)s: %(message)s）。運賃を手入力してください。")
        % {"code": code or "?", "message": message},
        code="api_error",
        provider_code=code,
    )


def _price(prices: list[dict[str, Any]], kind: str, part: str) -> int | None:
    for price in prices:
        if _text(price.get("kind")) == kind and part in price:
            return _int(price[part], name=f"{kind}.{part}")
    return None


def _sum_selected(prices: list[dict[str, Any]], kind: str, part: str) -> int:
    # Only used when the summary row is missing; sections with selected="false" are alternatives not taken.
    return sum(
        _int(price.get(part), name=f"{kind}.{part}", default=0)
        for price in prices
        if _text(price.get("kind")) == kind and _text(price.get("selected")) != "false"
    )


def _parse_course(course: dict[str, Any], *, provider: str, engine_version: str) -> Route:
    prices = [price for price in as_list(course.get("Price")) if isinstance(price, dict)]
    fare_oneway = _price(prices, "FareSummary", "Oneway")
    if fare_oneway is None:
        fare_oneway = _sum_selected(prices, "Fare", "Oneway")
    fare_round = _price(prices, "FareSummary", "Round")
    if fare_round is None:
        fare_round = fare_oneway * 2
    charges = _price(prices, "ChargeSummary", "Oneway")
    if charges is None:
        charges = _sum_selected(prices, "Charge", "Oneway")
    charges_round = _price(prices, "ChargeSummary", "Round")
    if charges_round is None:
        charges_round = charges * 2
    pass_prices = {
        kind: amount
        for kind in ("Teiki1Summary", "Teiki3Summary", "Teiki6Summary")
        if (amount := _price(prices, kind, "Oneway")) is not None
    }

    route = course.get("Route") or {}
    if not isinstance(route, dict):
        raise _bad_response("Route")
    minutes = sum(
        _int(route.get(key), name=key, default=0) for key in ("timeOther", "timeOnBoard", "timeWalk")
    )
    lines = tuple(
        RouteLine(
            name=_text(line.get("Name")),
            type=_text(line.get("Type")),
            minutes_on_board=_int(line.get("timeOnBoard"), name="Line.timeOnBoard", default=0),
            distance=_int(line.get("distance"), name="Line.distance") if line.get("distance") else None,
        )
        for line in as_list(route.get("Line"))
        if isinstance(line, dict)
    )
    points = []
    for point in as_list(route.get("Point")):
        if not isinstance(point, dict):
            continue
        station = point.get("Station") or {}
        prefecture = point.get("Prefecture") or {}
        name = _text(station.get("Name")) or _text(point.get("Name"))
        points.append(
            RoutePoint(
                name=name, code=_text(station.get("code")), prefecture_code=_text(prefecture.get("code"))
            )
        )
    return Route(
        fare_oneway=fare_oneway,
        fare_round=fare_round,
        minutes=minutes,
        transfers=_int(route.get("transferCount"), name="transferCount", default=0),
        points=tuple(points),
        lines=lines,
        charges=charges,
        raw=course,
        provider=provider,
        engine_version=engine_version,
        serialize_data=_text(course.get("SerializeData")),
        charges_round=charges_round,
        pass_prices=pass_prices,
    )


def parse_course_response(
    payload: dict[str, Any] | bytes | str,
    *,
    provider: str = "ekispert",
    from_name: str = "",
    to_name: str = "",
) -> list[Route]:
    """Turn a `/v1/json/search/course/*` response into routes; an `Error` raises FareProviderUnavailable."""
    if isinstance(payload, bytes | str):
        try:
            payload = json.loads(payload)
        except ValueError:
            raise _bad_response("JSON") from None
    result = payload.get("ResultSet") if isinstance(payload, dict) else None
    if not isinstance(result, dict):
        raise _bad_response("ResultSet")
    if "Error" in result:
        raise _error_from_result(result["Error"], from_name=from_name, to_name=to_name)
    engine_version = _text(result.get("engineVersion")) or _text(result.get("apiVersion"))
    return [
        _parse_course(course, provider=provider, engine_version=engine_version)
        for course in as_list(result.get("Course"))
        if isinstance(course, dict)
    ]


class EkispertProvider:
    """駅すぱあと course search with `searchType=plain` (average waits, no timetable: right for claims).

    `condition_detail_ic` / `condition_detail_ticket`: the raw `conditionDetail` strings that select IC or
    ticket fares. Their encoding is UNCONFIRMED (formats.md §9.1, §11 #7), so the tenant configures them;
    empty means "send none" and the provider's default fare type applies.
    """

    name = "ekispert"
    DEFAULT_BASE_URL = "https://api.ekispert.jp"
    COURSE_PATH = "/v1/json/search/course/extreme"

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 5.0,
        *,
        answer_count: int = 5,
        sort: str = "ekispert",
        condition_detail_ic: str = "",
        condition_detail_ticket: str = "",
    ) -> None:
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in {"http", "https"}:
            raise ValueError(f"base_url must be http(s), got {base_url!r}")
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.answer_count = answer_count
        self.sort = sort
        self.condition_detail_ic = condition_detail_ic
        self.condition_detail_ticket = condition_detail_ticket

    def course_url(
        self,
        from_name_or_code: str,
        to_name_or_code: str,
        *,
        on_date: date,
        ic: bool,
        via: Sequence[str] = (),
    ) -> str:
        params = {
            "key": self.api_key,
            "viaList": ":".join([from_name_or_code, *via, to_name_or_code]),
            "date": on_date.strftime("%Y%m%d"),
            "searchType": "plain",
            "sort": self.sort,
            "answerCount": str(self.answer_count),
        }
        condition = self.condition_detail_ic if ic else self.condition_detail_ticket
        if condition:
            params["conditionDetail"] = condition
        return f"{self.base_url}{self.COURSE_PATH}?{urllib.parse.urlencode(params)}"

    def search(
        self,
        from_name_or_code: str,
        to_name_or_code: str,
        *,
        on_date: date,
        ic: bool,
        via: Sequence[str] = (),
    ) -> list[Route]:
        url = self.course_url(from_name_or_code, to_name_or_code, on_date=on_date, ic=ic, via=via)
        body = self._get(url)
        return parse_course_response(
            body, provider=self.name, from_name=from_name_or_code, to_name=to_name_or_code
        )

    def _get(self, url: str) -> bytes:
        # The scheme is checked in __init__, so urllib cannot be pointed at file:// or ftp://.
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read()
        except urllib.error.HTTPError as exc:
            # 駅すぱあと also sends its JSON error body with 4xx statuses: prefer its code to the status.
            body = exc.read() or b""
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            if (
                isinstance(payload, dict)
                and isinstance(payload.get("ResultSet"), dict)
                and "Error" in payload["ResultSet"]
            ):
                return body
            raise FareProviderUnavailable(
                gettext("駅すぱあとに接続できませんでした（HTTP %(status)d）。運賃を手入力してください。")
                % {"status": exc.code},
                code="http_error",
                provider_code=str(exc.code),
            ) from exc
        except TimeoutError as exc:
            raise self._timeout() from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise self._timeout() from exc
            raise FareProviderUnavailable(
                gettext("駅すぱあとに接続できませんでした（%(reason)s）。運賃を手入力してください。")
                % {"reason": exc.reason},
                code="network",
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FareProviderUnavailable(
                gettext("駅すぱあとに接続できませんでした（%(reason)s）。運賃を手入力してください。")
                % {"reason": exc},
                code="network",
            ) from exc

    def _timeout(self) -> FareProviderUnavailable:
        return FareProviderUnavailable(
            gettext(
                "駅すぱあとが %(seconds)s 秒以内に応答しませんでした。"
                "しばらくしてから再検索するか、運賃を手入力してください。"
            )
            % {"seconds": f"{self.timeout:g}"},
            code="timeout",
        )
