"""Add and edit a prior surgery or an imaging study from the keyboard; delete asks first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.history_records import (
    ImagingData,
    ImagingForm,
    ProcedureChoice,
    SurgeryData,
    SurgeryForm,
)
from frontdesk.domain.history_vocab import (
    BodyRegion,
    Contrast,
    FusionApproach,
    FusionStatus,
    ImagesMedium,
    ImagingModality,
    Outcome,
    Procedure,
    SurgicalApproach,
)
from frontdesk.services.history.entry_rows import (
    IMAGING_TRACKING_FIELDS,
    SURGERY_TRACKING_FIELDS,
    may_change_entry,
)
from frontdesk.services.history.imaging import add_imaging, update_imaging
from frontdesk.services.history.surgeries import add_surgery, update_surgery
from frontdesk.services.kernel.clock import DATE, today_in
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.history.entry_fields import (
    ParsedLineEdit,
    choice_combo,
    code_of,
    day_edit,
    day_text,
    levels_edit,
    partial_date_edit,
    partial_date_text,
    select_data,
)
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    multiline_edit,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormDialog

MANUAL = "manual"


def procedure_key(code: str, practice_label: str) -> str:
    """A picker item's data: the procedure code and, for practice-added ones, their words
    (Qt item data holds a string safely; a tuple would come back as something else)."""
    return f"{code}\t{practice_label}"


def split_procedure_key(key: object) -> tuple[str, str]:
    if not isinstance(key, str):
        return "", ""
    code, _, label = key.partition("\t")
    return code, label


def with_today_button(field: ParsedLineEdit, what: str, zone: tzinfo) -> QWidget:
    """A date field with a "Today" button next to it (the usual answer when mail arrives):
    the practice's day in ``zone`` when clicked, so a dialog left open past midnight (or a
    desk whose computer is in another zone) still fills in the practice's day."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    button = QPushButton("Today")
    button.setAccessibleName(f"{what}: today")
    button.setToolTip(f"Fill in today's date for {what.lower()}")
    button.clicked.connect(lambda: field.setText(today_in(zone).strftime(DATE)))
    layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    row.setFocusProxy(field)
    return row


class EntryDialog(FormDialog):
    """One history entry: Enter (or Ctrl+Enter in a notes box) saves, Esc asks before
    discarding typed changes, refusals show next to their fields."""

    saved = Signal(object)
    # What front desk may still change on someone else's entry: the records-tracking fields.
    TRACKING_FIELDS: frozenset[str] = frozenset()
    # Every entry tracks when its report arrived; on a locked entry the focus waits there.
    report_received_on: ParsedLineEdit

    def __init__(
        self, context: ServiceContext, runner: Runner, title: str, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.fields = FormFields()
        self.banner = Banner()
        self.buttons = self.save_cancel_buttons("Save (Enter, or Ctrl+Enter in a notes box)")
        self.body = QVBoxLayout(self)
        self.body.addWidget(plain_label(title, "sectionTitle"))
        self.body.addWidget(self.banner)
        self.locked_fields: set[str] = set()
        # Paused while the practice server is unreachable; the typing stays in the form.
        self.follow_gate(self.buttons.button(QDialogButtonBox.StandardButton.Save))

    def finish_layout(self, entry: SurgeryData | ImagingData | None, first_field: QWidget) -> bool:
        """The buttons at the foot, then where the typing starts: ``first_field``, or, on
        someone else's entry the user may not change, the report's received date with only
        the records-tracking fields open. True when the entry's details are locked."""
        self.body.addStretch(1)
        self.body.addWidget(self.buttons)
        self.mark_clean()
        self.setMinimumWidth(900)
        if entry is not None and not may_change_entry(self.context.actor, entry.created_by):
            self.lock_details(self.TRACKING_FIELDS, entry.created_by)
            self.report_received_on.setFocus()
            return True
        first_field.setFocus()
        return False

    def form(self) -> object:
        raise NotImplementedError

    def snapshot(self) -> object:
        return self.form()

    def save_call(self) -> Callable[[], Any]:
        raise NotImplementedError

    def lock_details(self, keep: frozenset[str], entered_by: str) -> None:
        """Front desk on someone else's entry: only the records-tracking fields stay open."""
        for key in tuple(self.fields.keys()):
            if key in keep:
                continue
            widget = self.fields.widget(key)
            if isinstance(widget, QLineEdit | QPlainTextEdit | ParsedLineEdit):
                widget.setReadOnly(True)
            else:
                widget.setEnabled(False)
            self.locked_fields.add(key)
        self.banner.show_message(
            "info",
            f"Entered by {entered_by}: you can record the reports and images received; "
            "changing the other details needs clinical staff or an administrator.",
        )

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        self.runner.run(self.save_call(), self._on_result, failure=self.save_error)

    def _on_result(self, result: object) -> None:
        self.end_save()
        self.fields.clear_messages()
        self.banner.clear()
        self.mark_clean()
        self.saved.emit(result)
        self.done(QDialog.DialogCode.Accepted)


def _columns() -> tuple[QHBoxLayout, QFormLayout, QFormLayout]:
    row = QHBoxLayout()
    left, right = form_layout(), form_layout()
    row.addLayout(left, 1)
    row.addSpacing(16)
    row.addLayout(right, 1)
    return row, left, right


UNCONFIRMED_DRAFT = (
    "Unconfirmed: this is what the caller said at intake. Check the procedure, levels and "
    "year against the records, correct them, and save to confirm."
)


class SurgeryDialog(EntryDialog):
    """A prior spine surgery: what, where, when, which levels, and the operative report."""

    TRACKING_FIELDS = SURGERY_TRACKING_FIELDS

    def __init__(
        self,
        context: ServiceContext,
        runner: Runner,
        patient_id: int,
        zone: tzinfo,
        surgery: SurgeryData | None,
        others: Sequence[SurgeryData],
        procedures: Sequence[ProcedureChoice],
        parent: QWidget | None = None,
    ) -> None:
        title = "Add a prior surgery" if surgery is None else "Edit prior surgery"
        super().__init__(context, runner, title, parent)
        self.patient_id = patient_id
        self.surgery = surgery
        fields = self.fields
        self.date = partial_date_edit("Date of surgery")
        self.procedure = QComboBox()
        self.procedure.setAccessibleName("Procedure")
        self.procedure.addItem("(choose a procedure)", None)
        for choice in procedures:
            self.procedure.addItem(
                choice.label, procedure_key(choice.procedure.value, choice.practice_label)
            )
        self.procedure_label = line_edit(
            "Which procedure", "what the patient or report calls it", 120
        )
        self.fusion_approach = choice_combo("Fusion technique", list(FusionApproach))
        self.levels = levels_edit("Levels")
        self.levels_note = line_edit(
            "Levels note", "e.g. transitional L6, counted from the sacrum", 300
        )
        self.approach = choice_combo("Approach", list(SurgicalApproach))
        self.revises = QComboBox()
        self.revises.setAccessibleName("Revises an earlier surgery")
        self.revises.addItem("(none)", None)
        for other in others:
            if surgery is None or other.id != surgery.id:
                self.revises.addItem(other.description or f"surgery {other.id}", other.id)
        self.surgeon = line_edit("Surgeon", "e.g. Dr. Rivera", 200)
        self.facility = line_edit("Facility", "hospital or surgery center", 200)
        self.instrumentation = QComboBox()
        self.instrumentation.setAccessibleName("Hardware placed")
        for text, value in (("Unknown", None), ("Yes", True), ("No", False)):
            self.instrumentation.addItem(text, value)
        self.instrumentation_description = line_edit(
            "Hardware description", "e.g. pedicle screws and rods", 400
        )
        self.bone_graft = line_edit("Bone graft", "optional: autograft, allograft, BMP…", 200)
        self.outcome = choice_combo("Outcome as the patient reports it", list(Outcome))
        self.fusion_status = choice_combo("Fusion status", list(FusionStatus))
        self.complications = line_edit("Complications", "", 2000)
        self.report_requested_on = day_edit("Operative report requested on", zone)
        self.report_received_on = day_edit("Operative report received on", zone)
        self.notes = multiline_edit("Notes", 3)

        columns, left, right = _columns()
        add_form_row(left, fields, "date", "&Date", self.date)
        add_form_row(left, fields, "procedure", "&Procedure *", self.procedure)
        add_form_row(left, fields, "procedure_label", "&Which procedure", self.procedure_label)
        add_form_row(left, fields, "fusion_approach", "&Technique", self.fusion_approach)
        add_form_row(left, fields, "levels", "&Levels", self.levels)
        add_form_row(left, fields, "levels_note", "Levels &note", self.levels_note)
        add_form_row(left, fields, "approach", "&Approach", self.approach)
        add_form_row(left, fields, "revises_id", "&Revises", self.revises)
        add_form_row(right, fields, "surgeon", "S&urgeon", self.surgeon)
        add_form_row(right, fields, "facility", "&Facility", self.facility)
        add_form_row(right, fields, "instrumentation", "&Hardware", self.instrumentation)
        add_form_row(
            right,
            fields,
            "instrumentation_description",
            "Hardware &details",
            self.instrumentation_description,
        )
        add_form_row(right, fields, "bone_graft", "Bone &graft", self.bone_graft)
        add_form_row(right, fields, "outcome", "&Outcome", self.outcome)
        add_form_row(right, fields, "fusion_status", "Fusion &status", self.fusion_status)
        add_form_row(right, fields, "complications", "&Complications", self.complications)
        self.body.addLayout(columns)
        records = form_layout()
        add_form_row(
            records,
            fields,
            "report_requested_on",
            "Op report re&quested",
            with_today_button(self.report_requested_on, "Operative report requested", zone),
        )
        add_form_row(
            records,
            fields,
            "report_received_on",
            "Op report recei&ved",
            with_today_button(self.report_received_on, "Operative report received", zone),
        )
        add_form_row(records, fields, "notes", "No&tes", self.notes)
        self.body.addLayout(records)
        self._auto_approach: str | None = None
        self.procedure.currentIndexChanged.connect(self._procedure_changed)
        self.fusion_approach.currentIndexChanged.connect(self._procedure_changed)
        if surgery is not None:
            self._fill(surgery)
        self._procedure_changed()
        locked = self.finish_layout(surgery, self.date)
        if not locked and surgery is not None and surgery.unconfirmed:
            self.banner.show_message("info", UNCONFIRMED_DRAFT)
            save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
            save.setText("Confirm and save")

    def _fill(self, surgery: SurgeryData) -> None:
        # A saved entry keeps its approach as recorded, even when it was left blank.
        self._auto_approach = MANUAL
        self.date.setText(partial_date_text(surgery.date))
        wanted = procedure_key(surgery.procedure.value, surgery.procedure_label)
        index = self.procedure.findData(wanted)
        if index < 0:
            index = self.procedure.findData(procedure_key(surgery.procedure.value, ""))
            self.procedure_label.setText(surgery.procedure_label)
        self.procedure.setCurrentIndex(max(index, 0))
        select_data(self.fusion_approach, code_of(surgery.fusion_approach))
        self.levels.setText(surgery.levels.text())
        self.levels_note.setText(surgery.levels_note)
        select_data(self.approach, code_of(surgery.approach))
        select_data(self.revises, surgery.revises_id)
        self.surgeon.setText(surgery.surgeon)
        self.facility.setText(surgery.facility)
        select_data(self.instrumentation, surgery.instrumentation)
        self.instrumentation_description.setText(surgery.instrumentation_description)
        self.bone_graft.setText(surgery.bone_graft)
        select_data(self.outcome, code_of(surgery.outcome))
        select_data(self.fusion_status, code_of(surgery.fusion_status))
        self.complications.setText(surgery.complications)
        self.report_requested_on.setText(day_text(surgery.report_requested_on))
        self.report_received_on.setText(day_text(surgery.report_received_on))
        self.notes.setPlainText(surgery.notes)

    def _procedure_changed(self) -> None:
        code, practice_label = split_procedure_key(self.procedure.currentData())
        procedure = Procedure(code) if code else None
        needs_words = procedure is Procedure.OTHER and not practice_label
        if not needs_words:
            self.procedure_label.clear()
        self.procedure_label.setEnabled(needs_words and "procedure" not in self.locked_fields)
        takes_technique = procedure is not None and procedure.takes_fusion_approach
        self.fusion_approach.setEnabled(
            takes_technique and "fusion_approach" not in self.locked_fields
        )
        if not takes_technique:
            self.fusion_approach.setCurrentIndex(0)
        # The approach a procedure or technique fixes is filled in, and follows later changes
        # of procedure until someone picks an approach themselves.
        fixed = procedure.fixed_approach if procedure is not None else None
        technique = self.fusion_approach.currentData()
        if technique is not None:
            fixed = FusionApproach(technique).surgical_approach
        current = self.approach.currentData()
        if self._auto_approach != MANUAL and current in (None, self._auto_approach):
            wanted = fixed.value if fixed is not None else None
            select_data(self.approach, wanted)
            self._auto_approach = wanted

    def form(self) -> SurgeryForm:
        code, practice_label = split_procedure_key(self.procedure.currentData())
        return SurgeryForm(
            procedure=code,
            procedure_label=practice_label or self.procedure_label.text(),
            date=self.date.text(),
            levels=self.levels.text(),
            fusion_approach=self.fusion_approach.currentData(),
            levels_note=self.levels_note.text(),
            approach=self.approach.currentData(),
            surgeon=self.surgeon.text(),
            facility=self.facility.text(),
            instrumentation=self.instrumentation.currentData(),
            instrumentation_description=self.instrumentation_description.text(),
            bone_graft=self.bone_graft.text(),
            revises_id=self.revises.currentData(),
            outcome=self.outcome.currentData(),
            complications=self.complications.text(),
            fusion_status=self.fusion_status.currentData(),
            report_requested_on=self.report_requested_on.text(),
            report_received_on=self.report_received_on.text(),
            notes=self.notes.toPlainText(),
        )

    def save_call(self) -> Callable[[], Any]:
        if self.surgery is None:
            return partial(add_surgery, self.context, self.patient_id, self.form())
        return partial(
            update_surgery,
            self.context,
            self.surgery.id,
            self.form(),
            self.surgery.version,
        )


class RegionBoxes(QWidget):
    """Body regions as checkboxes (Tab moves between them, Space ticks)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[BodyRegion, QCheckBox] = {}
        for region in BodyRegion:
            box = QCheckBox(region.label)
            box.setAccessibleName(f"Region {region.label.lower()}")
            self.boxes[region] = box
            layout.addWidget(box)
        layout.addStretch(1)
        self.setFocusProxy(self.boxes[BodyRegion.CERVICAL])
        self.setAccessibleName("Body regions")

    def regions(self) -> tuple[BodyRegion, ...]:
        return tuple(region for region, box in self.boxes.items() if box.isChecked())

    def set_regions(self, regions: Sequence[BodyRegion]) -> None:
        for region, box in self.boxes.items():
            box.setChecked(region in regions)


class ImagingDialog(EntryDialog):
    """An imaging study (or nerve test) and what has arrived of it."""

    TRACKING_FIELDS = IMAGING_TRACKING_FIELDS

    def __init__(
        self,
        context: ServiceContext,
        runner: Runner,
        patient_id: int,
        zone: tzinfo,
        study: ImagingData | None,
        parent: QWidget | None = None,
    ) -> None:
        title = "Add an imaging study" if study is None else "Edit imaging study"
        super().__init__(context, runner, title, parent)
        self.patient_id = patient_id
        self.study = study
        fields = self.fields
        self.modality = choice_combo("Study", list(ImagingModality), blank=None)
        self.modality_label = line_edit("Which study", "e.g. upright MRI", 120)
        self.regions = RegionBoxes()
        self.contrast = choice_combo("Contrast", list(Contrast))
        self.date = partial_date_edit("Date of study")
        self.facility = line_edit("Facility", "imaging center or hospital", 200)
        self.ordering_physician = line_edit("Ordering physician", "", 200)
        self.report_received_on = day_edit("Report received on", zone)
        self.images_medium = choice_combo("Images arrived as", list(ImagesMedium))
        self.images_received_on = day_edit("Images received on", zone)
        self.disc_location = line_edit("Where the disc is kept", "e.g. cabinet B, drawer 2", 200)
        self.findings = multiline_edit("Key findings", 3)
        self.notes = multiline_edit("Notes", 2)

        columns, left, right = _columns()
        add_form_row(left, fields, "modality", "&Study *", self.modality)
        add_form_row(left, fields, "modality_label", "&Which study", self.modality_label)
        add_form_row(left, fields, "regions", "&Regions", self.regions)
        add_form_row(left, fields, "contrast", "&Contrast", self.contrast)
        add_form_row(left, fields, "date", "&Date", self.date)
        add_form_row(left, fields, "facility", "&Facility", self.facility)
        add_form_row(left, fields, "ordering_physician", "&Ordered by", self.ordering_physician)
        add_form_row(
            right,
            fields,
            "report_received_on",
            "Report recei&ved",
            with_today_button(self.report_received_on, "Report received", zone),
        )
        add_form_row(right, fields, "images_medium", "Images &as", self.images_medium)
        add_form_row(
            right,
            fields,
            "images_received_on",
            "I&mages received",
            with_today_button(self.images_received_on, "Images received", zone),
        )
        add_form_row(right, fields, "disc_location", "Disc &kept at", self.disc_location)
        self.body.addLayout(columns)
        bottom = form_layout()
        add_form_row(bottom, fields, "findings", "Key fi&ndings", self.findings)
        add_form_row(bottom, fields, "notes", "No&tes", self.notes)
        self.body.addLayout(bottom)
        if study is not None:
            self._fill(study)
        self.finish_layout(study, self.modality)

    def _fill(self, study: ImagingData) -> None:
        select_data(self.modality, study.modality.value)
        self.modality_label.setText(study.modality_label)
        self.regions.set_regions(study.regions)
        select_data(self.contrast, code_of(study.contrast))
        self.date.setText(partial_date_text(study.date))
        self.facility.setText(study.facility)
        self.ordering_physician.setText(study.ordering_physician)
        self.report_received_on.setText(day_text(study.report_received_on))
        select_data(self.images_medium, code_of(study.images_medium))
        self.images_received_on.setText(day_text(study.images_received_on))
        self.disc_location.setText(study.disc_location)
        self.findings.setPlainText(study.findings)
        self.notes.setPlainText(study.notes)

    def form(self) -> ImagingForm:
        return ImagingForm(
            modality=self.modality.currentData(),
            modality_label=self.modality_label.text(),
            regions=self.regions.regions(),
            contrast=self.contrast.currentData(),
            date=self.date.text(),
            facility=self.facility.text(),
            ordering_physician=self.ordering_physician.text(),
            report_received_on=self.report_received_on.text(),
            images_medium=self.images_medium.currentData(),
            images_received_on=self.images_received_on.text(),
            disc_location=self.disc_location.text(),
            findings=self.findings.toPlainText(),
            notes=self.notes.toPlainText(),
        )

    def save_call(self) -> Callable[[], Any]:
        if self.study is None:
            return partial(add_imaging, self.context, self.patient_id, self.form())
        return partial(update_imaging, self.context, self.study.id, self.form(), self.study.version)
