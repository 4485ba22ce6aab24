"""The appointment types a practice starts with carry the Spanish name letters print."""

from __future__ import annotations

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import appointment_types


def test_the_default_types_have_spanish_names(context: ServiceContext) -> None:
    # A Spanish letter printed "Tipo de cita: New consultation" for every new practice.
    appointment_types.install_default_types(context)
    names = {
        row.name: row.spanish_name
        for row in appointment_types.list_appointment_types(context, include_inactive=True)
    }
    assert names["New consultation"] == "Primera consulta"
    assert all(spanish.strip() for spanish in names.values())
