"""The referring-providers directory: NPI validated by its check digit, found by name."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdesk.db.engine import Database
from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import referrers
from frontdesk.services.patients.referrers import ReferrerForm
from tests.conftest import make_actor

PATEL = ReferrerForm(
    last_name="Patel",
    first_name="Anil",
    credentials="MD",
    specialty="Family medicine",
    practice_name="Prairie Family Health",
    npi="1234-567-893",
    phone="(217) 555-0101",
    fax="217.555.0102",
    address="12 Elm St\nSpringfield, IL 62701",
)


def test_save_and_find(context: ServiceContext) -> None:
    saved = referrers.save_referrer(context, PATEL)
    assert (saved.npi, saved.phone, saved.fax) == ("1234567893", "+12175550101", "+12175550102")
    assert saved.display_name == "Anil Patel, MD (Prairie Family Health)"
    referrers.save_referrer(context, ReferrerForm(last_name="Pátkai", first_name="Zsófia"))
    assert [r.last_name for r in referrers.find_referrers(context, "pat")] == ["Patel", "Pátkai"]
    assert [r.last_name for r in referrers.find_referrers(context, "patel prairie")] == ["Patel"]
    assert [r.last_name for r in referrers.find_referrers(context, "patel zs")] == []
    assert referrers.get_referrer(context, saved.id).address.startswith("12 Elm St")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"npi": "1234567890"}, "npi"),
        ({"npi": "12345"}, "npi"),
        ({"last_name": "  "}, "last_name"),
        ({"fax": "12"}, "fax"),
        ({"email": "not-mail"}, "email"),
    ],
)
def test_bad_fields_are_named(context: ServiceContext, changes: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        referrers.save_referrer(context, replace(PATEL, **changes))
    assert list(caught.value.fields) == [field]


def test_an_npi_belongs_to_one_physician(context: ServiceContext) -> None:
    referrers.save_referrer(context, PATEL)
    with pytest.raises(ValidationError, match="another physician"):
        referrers.save_referrer(context, replace(PATEL, first_name="Anita"))
    # Physicians without an NPI do not clash with each other.
    referrers.save_referrer(context, replace(PATEL, npi="", first_name="A"))
    referrers.save_referrer(context, replace(PATEL, npi="", first_name="B"))


def test_edits_are_safe_between_desks(database: Database) -> None:
    alice = ServiceContext(database, make_actor(Role.FRONT_DESK, "alice"))
    bob = ServiceContext(database, make_actor(Role.FRONT_DESK, "bob"))
    saved = referrers.save_referrer(alice, PATEL)
    referrers.save_referrer(bob, replace(PATEL, fax=""), saved.id, saved.version)
    with pytest.raises(ConflictError, match="bob changed this physician"):
        referrers.save_referrer(alice, replace(PATEL, phone=""), saved.id, saved.version)


def test_inactive_physicians_are_hidden_unless_asked(context: ServiceContext) -> None:
    saved = referrers.save_referrer(context, replace(PATEL, active=False))
    assert referrers.find_referrers(context) == []
    assert [r.id for r in referrers.find_referrers(context, include_inactive=True)] == [saved.id]
