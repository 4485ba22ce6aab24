"""Progress reporting for long work: the callback returns False when the user cancelled."""

from __future__ import annotations

from collections.abc import Callable

ProgressCallback = Callable[[int, int], bool]


class Cancelled(Exception):
    """Raised by long work when its progress callback says the user cancelled."""


def no_progress(_done: int, _total: int) -> bool:
    return True


def report_or_cancel(progress: ProgressCallback, done: int, total: int) -> None:
    if not progress(done, total):
        raise Cancelled
