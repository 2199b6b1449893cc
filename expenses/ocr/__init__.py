"""Receipt OCR engine: file loading, preprocessing, Tesseract parsing and field extraction.

Pure Python (no models, no database) so Celery tasks and the `read_receipt` command can share it.
"""
