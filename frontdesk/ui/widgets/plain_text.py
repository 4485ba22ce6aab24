"""Text that people typed, shown where Qt would otherwise read it as HTML (tooltips).

Qt shows a tooltip as rich text whenever it *looks* like HTML, so a patient named
``<font size=6 color=red>DECEASED</font>`` would show large and red, and ``<img src=…>`` would
load a local file. Every tooltip that can hold typed text goes through `plain_tooltip`.
"""

from __future__ import annotations

import html


def plain_tooltip(text: str | None) -> str | None:
    """``text`` as a tooltip that shows exactly those characters (None or "" stays None)."""
    if not text:
        return None
    escaped = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<p style='white-space:pre-wrap'>{escaped}</p>"
