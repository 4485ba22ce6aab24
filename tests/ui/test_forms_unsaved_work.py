"""Every form answers the one unsaved-work question the lock and user switching ask.

The lock finds forms by their base class and asks ``has_unsaved_changes()``; a form that
answers another method name (``is_modified``, ``has_changes``) is invisible to it, and a
different user signing in would discard its typing unasked. These checks enumerate the
widgets of ``frontdesk.ui`` so a new form cannot slip past.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QWidget

import frontdesk.ui
from frontdesk.ui.widgets.saving_form import FormDialog, FormPanel, SavingForm

# A Save button that keeps typed work (not "Save as PDF…", "Save a copy", "Save packets…",
# "Save checkpoint…", which write a file from what is already saved).
SAVE_BUTTON = re.compile(
    r'StandardButton\.Save\b|QPushButton\("&?Save(?! as| a | packets| checkpoint)'
)
OLD_NAMES = ("is_modified", "has_changes", "details_modified")


def ui_widget_classes() -> Iterator[type[QWidget]]:
    for info in pkgutil.walk_packages(frontdesk.ui.__path__, "frontdesk.ui."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, QWidget)
                and value.__module__ == module.__name__
            ):
                yield value


WIDGETS = sorted(set(ui_widget_classes()), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def saves_typed_work(cls: type[QWidget]) -> bool:
    return "save" in vars(cls) or bool(SAVE_BUTTON.search(inspect.getsource(cls)))


def all_subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub} | all_subclasses(sub)
    return found


def test_the_enumeration_finds_the_forms_the_issue_names() -> None:
    names = {cls.__name__ for cls in WIDGETS if saves_typed_work(cls)}
    assert {
        "IntakeDialog",
        "PatientEditor",
        "EntryDialog",
        "AddToWaitlistDialog",
        "BookDialog",
        "RescheduleDialog",
        "ProfileEditor",
        "PracticeRulesPanel",
        "SecuritySettingsPanel",
        "RecordDialog",
    } <= names
    # File exports are not forms: nothing typed is lost by closing them.
    assert "DaySheetDialog" not in names and "RecordsLetterDialog" not in names


@pytest.mark.parametrize(
    "cls", [cls for cls in WIDGETS if saves_typed_work(cls)], ids=lambda cls: cls.__name__
)
def test_every_widget_with_a_save_is_a_form_the_lock_can_ask(cls: type[QWidget]) -> None:
    assert issubclass(cls, FormDialog | FormPanel), (
        f"{cls.__module__}.{cls.__name__} saves typed work but is not a FormDialog or "
        "FormPanel: the lock cannot ask it about unsaved changes"
    )


@pytest.mark.parametrize("cls", WIDGETS, ids=lambda cls: cls.__name__)
def test_no_widget_answers_the_question_under_another_name(cls: type[QWidget]) -> None:
    assert not set(OLD_NAMES) & set(vars(cls)), f"{cls.__name__}: use has_unsaved_changes()"


FORMS = sorted(all_subclasses(SavingForm) - {FormDialog, FormPanel}, key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: cls.__name__)
def test_every_form_answers_the_unsaved_work_question(cls: type[SavingForm]) -> None:
    assert callable(cls.has_unsaved_changes)
    if cls.__subclasses__():
        return  # a shared base (RecordDialog, EntryDialog): its concrete forms are checked
    # Each concrete form says what its typed work is and how it saves it.
    assert cls.snapshot is not SavingForm.snapshot, f"{cls.__name__} has no snapshot()"
    assert cls.save is not SavingForm.save, f"{cls.__name__} has no save()"
    if issubclass(cls, FormPanel):
        assert cls.undo is not FormPanel.undo, f"{cls.__name__} cannot undo on Esc"
