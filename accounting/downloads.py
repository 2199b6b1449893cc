"""File responses for export and payment downloads, shared by the pages and the API."""

from django.http import FileResponse, HttpResponse

from accounting.exporters import EXPORTERS
from accounting.models import ExportBatch, PaymentBatch
from accounting.services import open_export_file

ZENGIN_CONTENT_TYPE = "text/plain; charset=shift_jis"  # 全銀 files are JIS X 0201 kana, a subset of Shift_JIS


def export_content_type(fmt: str) -> str:
    exporter = EXPORTERS[fmt]
    charset = "shift_jis" if exporter.encoding == "cp932" else exporter.encoding
    return f"{exporter.content_type}; charset={charset}"


def export_file_response(batch: ExportBatch) -> FileResponse:
    """The stored file (hash-checked by open_export_file, which raises ApplicationError if it is not there)."""
    return FileResponse(open_export_file(batch), as_attachment=True, filename=batch.file_name,
                        content_type=export_content_type(batch.format))


def payment_file_response(batch: PaymentBatch) -> HttpResponse:
    response = HttpResponse(bytes(batch.content), content_type=ZENGIN_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{batch.file_name}"'
    return response
