"""The practice's procedure list: the picker's choices, labels added and retired."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.db.models_history import ProcedureLabel
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import NotFoundError, ValidationError
from frontdesk.domain.history_records import ProcedureChoice
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext


def procedure_choices(context: ServiceContext) -> list[ProcedureChoice]:
    """The built-in procedures (except "other"), then the practice's active ones, then
    "Other" (which asks for the words)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        labels = session.scalars(
            select(ProcedureLabel.label)
            .where(ProcedureLabel.active.is_(True))
            .order_by(ProcedureLabel.label)
        ).all()
    built_in = [
        ProcedureChoice(procedure, procedure.label)
        for procedure in Procedure
        if procedure is not Procedure.OTHER
    ]
    added = [ProcedureChoice(Procedure.OTHER, label, label) for label in labels]
    return [*built_in, *added, ProcedureChoice(Procedure.OTHER, Procedure.OTHER.label)]


def add_procedure_label(context: ServiceContext, label: str) -> ProcedureChoice:
    """Extend the practice's procedure list (clinical staff and admins)."""
    cleaned = " ".join(clean_text(label).split())
    if not cleaned:
        raise ValidationError({"label": "type the procedure's name"})
    if len(cleaned) > 120:
        raise ValidationError({"label": "at most 120 characters"})
    folded = cleaned.casefold()
    for procedure in Procedure:
        if folded in (procedure.label.casefold(), procedure.short.casefold(), procedure.value):
            raise ValidationError({"label": f"“{procedure.label}” is already on the list"})
    with context.writing(Permission.EDIT_HISTORY_FULL) as uow:
        session = uow.session
        for row in session.scalars(select(ProcedureLabel)):
            if row.label.casefold() == folded:
                if not row.active:
                    row.active = True
                    uow.stamp(row, new=False)
                    uow.commit()
                    return ProcedureChoice(Procedure.OTHER, row.label, row.label)
                raise ValidationError({"label": f"“{row.label}” is already on the list"})
        row = ProcedureLabel(label=cleaned, active=True)
        uow.stamp(row, new=True)
        session.add(row)
        uow.commit()
        return ProcedureChoice(Procedure.OTHER, cleaned, cleaned)


def retire_procedure_label(context: ServiceContext, label: str) -> None:
    """Take a practice-added procedure off the picker; entries that use it keep their words."""
    with context.writing(Permission.EDIT_HISTORY_FULL) as uow:
        row = uow.session.scalar(select(ProcedureLabel).where(ProcedureLabel.label == label))
        if row is None:
            raise NotFoundError(f"“{label}” is not on the practice's procedure list")
        row.active = False
        uow.stamp(row, new=False)
        uow.commit()
