"""Tesseract in-process: libtesseract's C API through ctypes, one loaded model per language and process.

The tesseract command loads its model on every call (about 0.2 s, as long as reading a small image),
and a receipt takes two to five reads. Here each worker process loads a model once and keeps it.
Results are the same as the command's: the same library reads the same pixels with the same settings.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time

from PIL import Image

# OpenMP threads cost more than they give on receipt-sized images and fight the other workers. Read
# by the OpenMP runtime when the library loads, so set before that.
OMP_ENV = ("OMP_THREAD_LIMIT", "1")
LIBRARY_NAMES = ("libtesseract.so.5", "libtesseract.so")
OEM_TESSERACT_ONLY = 0
OEM_LSTM_ONLY = 1
# Orientation and script detection: its model (osd.traineddata) runs on the legacy engine only.
OSD_LANG = "osd"
PSM_OSD_ONLY = 0
SETTINGS = {
    # Inverted-text detection re-reads every line upside down in colour: slow, and receipts print
    # white-on-black only in banners, which preprocessing turns black-on-white.
    "tessedit_do_invert": "0",
    # The library's warnings ("Estimating resolution as ...") would otherwise go to the worker's stderr.
    "debug_file": os.devnull,
}
TSV_COLUMNS = (
    "level", "page_num", "block_num", "par_num", "line_num", "word_num",
    "left", "top", "width", "height", "conf", "text",
)

_library: ctypes.CDLL | None = None
_library_lock = threading.Lock()
_engines: dict[str, TesseractEngine] = {}
_engines_lock = threading.Lock()
_engines_pid: int | None = None


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    handle, text = ctypes.c_void_p, ctypes.c_char_p
    signatures = {
        "TessBaseAPICreate": ([], handle),
        "TessBaseAPIInit2": ([handle, text, text, ctypes.c_int], ctypes.c_int),
        "TessBaseAPISetVariable": ([handle, text, text], ctypes.c_int),
        "TessBaseAPISetPageSegMode": ([handle, ctypes.c_int], None),
        "TessBaseAPISetImage": ([handle, text, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int], None),
        "TessBaseAPIRecognize": ([handle, handle], ctypes.c_int),
        "TessBaseAPIGetTsvText": ([handle, ctypes.c_int], handle),
        "TessBaseAPIDetectOrientationScript": (
            [
                handle,
                ctypes.POINTER(ctypes.c_int),
                ctypes.POINTER(ctypes.c_float),
                ctypes.POINTER(ctypes.c_char_p),
                ctypes.POINTER(ctypes.c_float),
            ],
            ctypes.c_int,
        ),
        "TessBaseAPIClear": ([handle], None),
        "TessBaseAPIDelete": ([handle], None),
        "TessDeleteText": ([handle], None),
        "TessMonitorCreate": ([], handle),
        "TessMonitorSetDeadlineMSecs": ([handle, ctypes.c_int], None),
        "TessMonitorDelete": ([handle], None),
    }
    for name, (argtypes, restype) in signatures.items():
        function = getattr(lib, name)
        function.argtypes, function.restype = argtypes, restype
    return lib


def load_library() -> ctypes.CDLL:
    """The loaded libtesseract, or OSError saying why it cannot be loaded."""
    global _library
    with _library_lock:
        if _library is None:
            os.environ.setdefault(*OMP_ENV)
            found = ctypes.util.find_library("tesseract")
            errors = []
            for name in (*LIBRARY_NAMES, *([found] if found else [])):
                try:
                    _library = _declare(ctypes.CDLL(name))
                    break
                except (OSError, AttributeError) as exc:
                    errors.append(f"{name}: {exc}")
            else:
                raise OSError("libtesseract could not be loaded (" + "; ".join(errors) + ")")
        return _library


class TesseractEngine:
    """One language model, loaded once. Reads are serialised: the C API object is not re-entrant."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.lib = load_library()
        self.lock = threading.Lock()
        self.handle = self.lib.TessBaseAPICreate()
        oem = OEM_TESSERACT_ONLY if lang == OSD_LANG else OEM_LSTM_ONLY
        if self.lib.TessBaseAPIInit2(self.handle, None, lang.encode(), oem) != 0:
            self.lib.TessBaseAPIDelete(self.handle)
            raise OSError(f"tesseract could not load the language data for {lang!r}")
        for name, value in SETTINGS.items():
            self.lib.TessBaseAPISetVariable(self.handle, name.encode(), value.encode())

    def read_tsv(self, image: Image.Image, *, psm: int, timeout: float) -> str:
        """Tesseract's TSV for a greyscale rendering of `image` (no header row), or TimeoutError."""
        gray = image if image.mode == "L" else image.convert("L")
        pixels = gray.tobytes()  # must outlive Recognize: the library reads it in place
        with self.lock:
            monitor = self.lib.TessMonitorCreate()
            started = time.monotonic()
            try:
                self.lib.TessBaseAPISetPageSegMode(self.handle, psm)
                self.lib.TessBaseAPISetImage(self.handle, pixels, gray.width, gray.height, 1, gray.width)
                self.lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(timeout * 1000)))
                failed = self.lib.TessBaseAPIRecognize(self.handle, monitor) != 0
                # Past the deadline the library stops early and returns what it has: not a reading.
                if time.monotonic() - started >= timeout:
                    raise TimeoutError(f"tesseract took longer than {timeout}s")
                if failed:
                    raise OSError("tesseract could not read the image")
                text = self.lib.TessBaseAPIGetTsvText(self.handle, 0)
                try:
                    return ctypes.string_at(text).decode("utf-8", errors="replace") if text else ""
                finally:
                    if text:
                        self.lib.TessDeleteText(text)
            finally:
                self.lib.TessBaseAPIClear(self.handle)
                self.lib.TessMonitorDelete(monitor)

    def detect_orientation(self, image: Image.Image) -> tuple[int, float] | None:
        """(degrees, confidence): how far the page must turn counter-clockwise to stand upright (0, 90,
        180 or 270) and how sure the model is; None when it found too little text to tell. Only on
        the engine for OSD_LANG. Fast (a fraction of a reading): no deadline."""
        gray = image if image.mode == "L" else image.convert("L")
        pixels = gray.tobytes()
        degrees, confidence = ctypes.c_int(), ctypes.c_float()
        script, script_confidence = ctypes.c_char_p(), ctypes.c_float()
        with self.lock:
            try:
                self.lib.TessBaseAPISetPageSegMode(self.handle, PSM_OSD_ONLY)
                self.lib.TessBaseAPISetImage(self.handle, pixels, gray.width, gray.height, 1, gray.width)
                found = self.lib.TessBaseAPIDetectOrientationScript(
                    self.handle,
                    ctypes.byref(degrees),
                    ctypes.byref(confidence),
                    ctypes.byref(script),
                    ctypes.byref(script_confidence),
                )
            finally:
                self.lib.TessBaseAPIClear(self.handle)
        return (degrees.value % 360, float(confidence.value)) if found else None


def engine_for(lang: str) -> TesseractEngine:
    """This process's engine for `lang`, loaded on first use.

    A forked worker must not share its parent's engines (their locks and OpenMP state came across the
    fork half-done), so engines are per process id.
    """
    global _engines_pid
    with _engines_lock:
        if _engines_pid != os.getpid():
            _engines.clear()
            _engines_pid = os.getpid()
        if lang not in _engines:
            _engines[lang] = TesseractEngine(lang)
        return _engines[lang]
