"""Logging to a rotating file in the user's log folder. Logs hold record ids, never PHI."""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path
from types import TracebackType

from frontdesk.paths import log_dir

LOG_FILE_NAME = "frontdesk.log"


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


def setup_logging(level: int = logging.INFO) -> Path:
    """Send log records to the rotating file (idempotent); returns the file's path."""
    path = log_file()
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            if Path(handler.baseFilename) == path:
                return path
            root.removeHandler(handler)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)
    return path


def redacted_traceback(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> str:
    """The traceback without exception messages (which may quote patient data)."""
    summary = traceback.TracebackException(kind, error, trace, capture_locals=False)
    lines: list[str] = []
    chain: list[traceback.TracebackException] = []
    current: traceback.TracebackException | None = summary
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    for index, part in enumerate(reversed(chain)):
        if index:
            lines.append("During or because of the above, another exception occurred:\n")
        lines.append("Traceback (most recent call last):\n")
        lines.extend(part.stack.format())
        lines.append(f"{_qualified_name(part)} (message withheld: it may contain patient data)\n")
    return "".join(lines)


def _qualified_name(part: traceback.TracebackException) -> str:
    module = getattr(part, "exc_type_module", None)
    name = getattr(part, "exc_type_qualname", None)
    if name is None:  # Python < 3.13 keeps the type itself
        kind = part.exc_type
        module, name = kind.__module__, kind.__qualname__
    return name if module in (None, "builtins") else f"{module}.{name}"
