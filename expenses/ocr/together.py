"""Two calls at once.

libtesseract and Pillow's resampling both run without the GIL, so two pieces of a receipt's work
overlap on two cores: a Japanese and a Latin reading, or the two halves of a page being turned.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


def together(first: Callable[[], A], second: Callable[[], B]) -> tuple[A, B]:
    """Both results, `second` computed on a thread of its own while `first` runs on the caller's."""
    with ThreadPoolExecutor(1) as pool:
        later = pool.submit(second)
        return first(), later.result()
