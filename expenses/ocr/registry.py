"""Pick a parser class for a mime type by score (paperless style), so tests can inject a fake."""

from __future__ import annotations

from collections.abc import Callable

from expenses.ocr.protocol import ReceiptParser

ParserFactory = Callable[..., ReceiptParser]

_factories: list[ParserFactory] = []


def register_parser(factory: ParserFactory) -> ParserFactory:
    if factory not in _factories:
        _factories.append(factory)
    return factory


def unregister_parser(factory: ParserFactory) -> None:
    if factory in _factories:
        _factories.remove(factory)


def _defaults() -> list[ParserFactory]:
    from expenses.ocr.tesseract import TesseractParser

    return [TesseractParser]


def get_parser_factory(mime: str, *, langs: str = "jpn+eng") -> ParserFactory | None:
    """The registered (or default) factory whose parser scores highest for `mime`, or None."""
    best: tuple[int, ParserFactory] | None = None
    for factory in _factories or _defaults():
        parser = factory(langs=langs)
        score = parser.score(mime)
        if score is not None and (best is None or score > best[0]):
            best = (score, factory)
    return best[1] if best else None
