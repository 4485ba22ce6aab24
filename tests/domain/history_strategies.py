"""Hypothesis strategies for spinal levels, partial dates and history facts."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from frontdesk.domain.history_summary import ImagingFacts, SurgeryFacts
from frontdesk.domain.history_vocab import (
    BodyRegion,
    FusionApproach,
    ImagingModality,
    Procedure,
)
from frontdesk.domain.partial_dates import MAX_YEAR, MIN_YEAR, PartialDate
from frontdesk.domain.spinal_levels import LevelSet, Segment, Vertebra

vertebrae = st.sampled_from(list(Vertebra))
segments = st.sampled_from([Segment(v) for v in Vertebra if v is not Vertebra.S1])
levels = st.one_of(vertebrae, segments)
level_sets = st.lists(levels, max_size=8).map(lambda items: LevelSet(tuple(items)))


@st.composite
def vertebra_pairs(draw: st.DrawFn) -> tuple[Vertebra, Vertebra]:
    """Two different vertebrae, in any order."""
    first = draw(vertebrae)
    second = draw(vertebrae.filter(lambda v: v is not first))
    return first, second


days = st.dates(min_value=date(MIN_YEAR, 1, 1), max_value=date(MAX_YEAR, 12, 31))
years = st.integers(min_value=MIN_YEAR, max_value=MAX_YEAR)

partial_dates = st.one_of(
    days.map(PartialDate.exact),
    st.builds(PartialDate.of_month, years, st.integers(1, 12)),
    years.map(PartialDate.of_year),
    years.map(PartialDate.about),
)

surgery_facts = st.builds(
    SurgeryFacts,
    procedure=st.sampled_from(list(Procedure)),
    date=st.none() | partial_dates,
    levels=level_sets,
    fusion_approach=st.none() | st.sampled_from(list(FusionApproach)),
    operative_report_received=st.booleans(),
)

imaging_facts = st.builds(
    ImagingFacts,
    modality=st.sampled_from(list(ImagingModality)),
    regions=st.lists(st.sampled_from(list(BodyRegion)), max_size=3).map(tuple),
    date=st.none() | partial_dates,
    report_received=st.booleans(),
    images_received=st.booleans(),
)
