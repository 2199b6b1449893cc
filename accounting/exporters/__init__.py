"""Journal CSV exporters (formats.md §1–§4): pure writers from plain rows to bytes."""

from accounting.exporters.base import (
    AccountingMethod,
    ExportError,
    ExportReport,
    JournalEntryRow,
    JournalExporter,
    JournalLineRow,
    Settlement,
    Side,
    Substitution,
    VendorMapping,
)
from accounting.exporters.freee import FreeeExporter
from accounting.exporters.generic import GenericExporter
from accounting.exporters.moneyforward import MoneyForwardExporter
from accounting.exporters.yayoi import YayoiExporter

EXPORTERS: dict[str, type[JournalExporter]] = {
    cls.vendor: cls for cls in (YayoiExporter, FreeeExporter, MoneyForwardExporter, GenericExporter)
}


def exporter_spec(exporter: JournalExporter) -> dict:
    """What an export worker process needs to build the same exporter (JSON-ready)."""
    return {"vendor": exporter.vendor, "mapping": exporter.mapping.to_dict(), "options": exporter.options}


def exporter_from_spec(spec: dict) -> JournalExporter:
    return EXPORTERS[spec["vendor"]](VendorMapping(**spec["mapping"]), **spec["options"])


__all__ = [
    "EXPORTERS",
    "AccountingMethod",
    "ExportError",
    "ExportReport",
    "FreeeExporter",
    "GenericExporter",
    "JournalEntryRow",
    "JournalExporter",
    "JournalLineRow",
    "MoneyForwardExporter",
    "Settlement",
    "Side",
    "Substitution",
    "VendorMapping",
    "YayoiExporter",
    "exporter_from_spec",
    "exporter_spec",
]
