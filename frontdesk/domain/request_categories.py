"""The categories of a consultation request (why the patient wants to see the surgeon)."""

from __future__ import annotations

import re
from enum import StrEnum


class RequestCategory(StrEnum):
    """Stored by value; shown by ``label``. The order is the order of the intake form."""

    FAILED_BACK = "failed_back"
    SPINAL_STENOSIS = "spinal_stenosis"
    HERNIATED_DISC = "herniated_disc"
    DEGENERATIVE_DISC_DISEASE = "degenerative_disc_disease"
    SPONDYLOLISTHESIS = "spondylolisthesis"
    SCOLIOSIS_OR_DEFORMITY = "scoliosis_or_deformity"
    NECK_PAIN = "neck_pain"
    FRACTURE = "fracture"
    SECOND_OPINION = "second_opinion"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> RequestCategory:
        """The category named by its value or its label, however it is cased or spaced.

        Content files are edited by people, so "Failed back / failed fusion syndrome",
        "failed back" and "failed_back" all name the same category.
        """
        key = _key(text)
        try:
            return _BY_KEY[key]
        except KeyError:
            allowed = "; ".join(category.label for category in cls)
            raise ValueError(f"unknown category {text.strip()!r} (use one of: {allowed})") from None


_LABELS: dict[RequestCategory, str] = {
    RequestCategory.FAILED_BACK: "Failed back / failed fusion syndrome",
    RequestCategory.SPINAL_STENOSIS: "Spinal stenosis",
    RequestCategory.HERNIATED_DISC: "Herniated disc",
    RequestCategory.DEGENERATIVE_DISC_DISEASE: "Degenerative disc disease",
    RequestCategory.SPONDYLOLISTHESIS: "Spondylolisthesis",
    RequestCategory.SCOLIOSIS_OR_DEFORMITY: "Scoliosis or deformity",
    RequestCategory.NECK_PAIN: "Neck pain",
    RequestCategory.FRACTURE: "Fracture",
    RequestCategory.SECOND_OPINION: "Second opinion",
    RequestCategory.OTHER: "Other",
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# Short forms people type for the long labels, besides the value and the label themselves.
_ALIASES: dict[str, RequestCategory] = {
    "failed back": RequestCategory.FAILED_BACK,
    "failed fusion": RequestCategory.FAILED_BACK,
    "failed back syndrome": RequestCategory.FAILED_BACK,
    "failed fusion syndrome": RequestCategory.FAILED_BACK,
    "stenosis": RequestCategory.SPINAL_STENOSIS,
    "scoliosis": RequestCategory.SCOLIOSIS_OR_DEFORMITY,
    "deformity": RequestCategory.SCOLIOSIS_OR_DEFORMITY,
}

_BY_KEY: dict[str, RequestCategory] = {
    **{_key(alias): category for alias, category in _ALIASES.items()},
    **{_key(category.value): category for category in RequestCategory},
    **{_key(label): category for category, label in _LABELS.items()},
}
