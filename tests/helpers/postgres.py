"""The PostgreSQL setup guide as the tests read it."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "postgresql-setup.md"


def documented_grants() -> list[str]:
    """The SQL statements of the grants block in docs/postgresql-setup.md."""
    block = re.search(
        r"-- begin: application role grants\n(.*?)-- end: application role grants",
        DOC.read_text(encoding="utf-8"),
        re.DOTALL,
    )
    assert block is not None, "the grants block is missing from the setup guide"
    lines = [line for line in block.group(1).splitlines() if not line.lstrip().startswith("--")]
    return [statement.strip() for statement in " ".join(lines).split(";") if statement.strip()]
