"""The wheel ships every package: each folder of frontdesk/ with code is in pyproject's list."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_for_the_wheel() -> None:
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "frontdesk").rglob("__init__.py")
    }
    # A package missing from the list is left out of a non-editable install: the app
    # starts from the source tree and fails once installed.
    assert on_disk - listed == set()
