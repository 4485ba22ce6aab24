"""Practices and handouts to render in the document tests."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.services.handouts import library as handouts


def logo_png() -> bytes:
    image = Image.new("RGBA", (600, 240), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 230, 230), fill="#1F5C7A")
    draw.rectangle((260, 80, 590, 160), fill="#D99A00")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="session")
def practice() -> PracticeDetails:
    """A practice with every letterhead detail, as the profile stores them (E.164 phones)."""
    return PracticeDetails(
        name="Lakeside Spine Center",
        address="100 Main St\nSpringfield, IL 62701",
        main_phone="+12175550142",
        toll_free_phone="+18005550199",
        fax="+12175550143",
        website="https://www.lakeside-spine.example.com",
        logo=logo_png(),
    )


@pytest.fixture(scope="session")
def bare_practice() -> PracticeDetails:
    """Only what the profile requires: a name and a main phone."""
    return PracticeDetails(name="Lakeside Spine Center", main_phone="+12175550142")


@pytest.fixture(scope="session")
def library() -> handouts.HandoutLibrary:
    return handouts.load_library(include_practice=False)
