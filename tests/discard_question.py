"""Answering a form's "discard changes?" question the way a person does: by its button."""

from __future__ import annotations

from frontdesk.ui.widgets.saving_form import FormDialog

KEEP = "Keep editing"
DISCARD = "Discard changes"


def answer_discard_question(dialog: FormDialog, button_text: str) -> None:
    question = dialog.discard_question
    assert question is not None and question.isVisible(), "the form did not ask"
    next(b for b in question.buttons() if b.text() == button_text).click()
