"""Form rows that show a service's per-field messages next to the field they are about."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionFrame,
    QVBoxLayout,
    QWidget,
)

# QLineEdit's own room between its contents rectangle and its text, on each side.
LINE_EDIT_TEXT_MARGIN = 2


def plain_label(text: str = "", object_name: str = "", *, wrap: bool = False) -> QLabel:
    """A label that never interprets markup, so a name like "<b>x</b>" shows as typed."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(wrap)
    if object_name:
        label.setObjectName(object_name)
    return label


class FieldMessage(QLabel):
    """The message under one field ("not a phone number ..."); hidden while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))


def multiline_edit(accessible_name: str, rows: int = 3) -> QPlainTextEdit:
    """A multi-line box where Tab leaves the field, as a keyboard user expects."""
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setAccessibleName(accessible_name)
    line = edit.fontMetrics().lineSpacing()
    edit.setFixedHeight(line * rows + 14)
    return edit


def line_edit(accessible_name: str, placeholder: str = "", max_length: int = 0) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(accessible_name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    return edit


class _WholePlaceholder(QObject):
    """Keeps a line edit at least as wide as its placeholder, in the font it is shown in
    (the app's style sheet sets it when the edit is polished)."""

    EVENTS = (QEvent.Type.Polish, QEvent.Type.FontChange, QEvent.Type.StyleChange)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.EVENTS and isinstance(watched, QLineEdit):
            watched.setMinimumWidth(placeholder_width(watched))
        return False


def placeholder_width(edit: QLineEdit) -> int:
    """The width at which ``edit`` shows its whole placeholder."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    margins = edit.textMargins()
    text = (
        edit.fontMetrics().horizontalAdvance(edit.placeholderText())
        + 2 * LINE_EDIT_TEXT_MARGIN
        + margins.left()
        + margins.right()
        + 1
    )
    size = QSize(text, edit.sizeHint().height())
    contents = QStyle.ContentsType.CT_LineEdit
    return edit.style().sizeFromContents(contents, option, size, edit).width()


def show_whole_placeholder(edit: QLineEdit) -> QLineEdit:
    """``edit`` never narrower than its placeholder: at 150% a hint such as "why (feeling
    better, surgeon away…)" was cut where it says what to type."""
    edit.installEventFilter(_WholePlaceholder(edit))
    edit.setMinimumWidth(placeholder_width(edit))
    return edit


class _StartInView(QObject):
    """Puts a line edit's cursor at the start when it loses focus (see ``show_start``)."""

    # A menu or a completer's list opening, or another window: the desk comes straight back.
    KEEP = (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusOut
            and isinstance(watched, QLineEdit)
            and isinstance(event, QFocusEvent)
            and event.reason() not in self.KEEP
        ):
            watched.setCursorPosition(0)
        return False


def show_start(edit: QLineEdit) -> QLineEdit:
    """A box too narrow for a long name shows its beginning when the desk is not typing in it.

    Qt scrolls a line edit to its cursor, which stays at the end after typing or ``setText``:
    "…nd Diagnostic Radiology Center" instead of "Springfield Advanced …".
    """
    watcher = _StartInView(edit)
    edit.installEventFilter(watcher)

    def to_start() -> None:
        if not edit.hasFocus():
            edit.setCursorPosition(0)

    # Text set while another field has focus (a draft, a pick): once the change is done, so
    # keys sent to the box unfocused still go in in their order.
    edit.textChanged.connect(lambda _text: QTimer.singleShot(0, edit, to_start))
    return edit


def field_text(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    raise TypeError(f"no text in {type(widget).__name__}")


def set_field_text(widget: QWidget, text: str) -> None:
    if isinstance(widget, QLineEdit):
        widget.setText(text)
        widget.setCursorPosition(0)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(text)
    else:
        raise TypeError(f"no text in {type(widget).__name__}")


class FormFields:
    """Which widget and message label belong to each field key the services use."""

    def __init__(self) -> None:
        self._fields: dict[str, tuple[QWidget, FieldMessage]] = {}

    def add(self, key: str, widget: QWidget, message: FieldMessage) -> None:
        self._fields[key] = (widget, message)

    def remove(self, key: str) -> None:
        self._fields.pop(key, None)

    def widget(self, key: str) -> QWidget:
        return self._fields[key][0]

    def message(self, key: str) -> FieldMessage:
        return self._fields[key][1]

    def keys(self) -> Iterable[str]:
        return self._fields.keys()

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def clear_messages(self) -> None:
        for widget, message in self._fields.values():
            message.show_message("")
            widget.setAccessibleDescription("")

    def show_messages(self, messages: Mapping[str, str]) -> dict[str, str]:
        """Show each message next to its field; focus the first; return those with no field."""
        self.clear_messages()
        unplaced: dict[str, str] = {}
        first: QWidget | None = None
        for key, text in messages.items():
            if key not in self._fields:
                unplaced[key] = text
                continue
            widget, message = self._fields[key]
            message.show_message(_sentence(text))
            # Screen readers announce the description with the field.
            widget.setAccessibleDescription(_sentence(text))
            if first is None:
                first = widget
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return unplaced


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def focus_target(widget: QWidget) -> QWidget:
    """The widget that takes the focus for ``widget``: the end of its focus-proxy chain. A
    label's Alt+letter ignores a buddy that takes no focus itself (a container of fields,
    a picker), even when it names a proxy; its proxy must be the buddy."""
    while (proxy := widget.focusProxy()) is not None:
        widget = proxy
    return widget


def add_form_row(
    layout: QFormLayout,
    fields: FormFields,
    key: str,
    label: str,
    widget: QWidget,
    hint: str = "",
) -> FieldMessage:
    """A labelled row: the field, an optional hint under it, and its (hidden) message."""
    column = QVBoxLayout()
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    if hint:
        hint_label = plain_label(hint, "hint", wrap=True)
        column.addWidget(hint_label)
    message = FieldMessage()
    column.addWidget(message)
    caption = QLabel(label)
    caption.setTextFormat(Qt.TextFormat.PlainText)
    caption.setBuddy(focus_target(widget))
    # Some glyphs (a final "e") draw a pixel past their advance and QLabel clips its text
    # to its own width: a little extra width keeps every caption whole.
    caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    caption.setMinimumWidth(caption.sizeHint().width() + 3)
    layout.addRow(caption, column)
    fields.add(key, widget, message)
    return message


def form_layout() -> QFormLayout:
    layout = QFormLayout()
    layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    layout.setVerticalSpacing(8)
    layout.setHorizontalSpacing(12)
    return layout


class Banner(QFrame):
    """A one-line message over a form: what happened and, for errors, what to do."""

    KINDS = ("error", "success", "info")
    # Lines the row keeps room for, shown or hidden (reserve_row); 0: the room the text needs.
    _reserved_lines = 0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        self.label = plain_label("", wrap=True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        self.action = QPushButton()
        self.action.hide()
        row.addWidget(self.action)
        self._action_callback: Callable[[], None] | None = None
        self.action.clicked.connect(self._run_action)
        self._text = ""
        self.hide()

    def reserve_row(self, lines: int = 2) -> None:
        """Keep the banner's row one height, shown or hidden, whatever it says.

        For a screen whose content is aimed at with the mouse (the calendar): a banner that
        comes, goes or grows would move what is under the pointer. Text past ``lines`` lines
        is cut short with "…"; all of it stays in the tooltip and the accessible description.
        """
        self._reserved_lines = lines
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.label.installEventFilter(self)
        self._fit_reserved_row()

    def _fit_reserved_row(self) -> None:
        self.ensurePolished()  # the style sheet's border and padding count
        body = max(self._lines_height(), self.action.sizeHint().height())
        self.label.setFixedHeight(body)
        margins = self.layout().contentsMargins()
        frame = self.contentsMargins()
        self.setFixedHeight(body + margins.top() + margins.bottom() + frame.top() + frame.bottom())
        self._show_text()

    def _show_text(self) -> None:
        """Put the text in the label, cut to the reserved lines when there are any."""
        if not self._reserved_lines or self._fits(self._text):
            self.label.setText(self._text)
            return
        # The longest start of the text that fits with "…" after it.
        low, high = 0, len(self._text)
        while low < high:
            middle = (low + high + 1) // 2
            if self._fits(self._text[:middle].rstrip() + "…"):
                low = middle
            else:
                high = middle - 1
        self.label.setText(self._text[:low].rstrip() + "…")

    def _text_height(self, text: str, width: int = 100_000) -> int:
        room = QRect(0, 0, max(width, 1), 100_000)
        return self.label.fontMetrics().boundingRect(room, Qt.TextFlag.TextWordWrap, text).height()

    def _lines_height(self) -> int:
        # Measured like the text, not lines × line spacing: the two differ by rounding.
        return self._text_height("\n".join("X" * self._reserved_lines))

    def _fits(self, text: str) -> bool:
        width = self.label.contentsRect().width()
        return self._text_height(text, width) <= self._lines_height()

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        # A new parent or style can bring another border, padding or font.
        refit = (QEvent.Type.ParentChange, QEvent.Type.StyleChange, QEvent.Type.FontChange)
        if self._reserved_lines and event.type() in refit:
            self._fit_reserved_row()
        return handled

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.label and event.type() in (QEvent.Type.Resize, QEvent.Type.FontChange):
            if event.type() == QEvent.Type.FontChange:
                self._fit_reserved_row()
            else:
                self._show_text()
        return super().eventFilter(watched, event)

    def show_message(
        self,
        kind: str,
        text: str,
        action: tuple[str, Callable[[], None]] | None = None,
    ) -> None:
        assert kind in self.KINDS, kind
        self.setProperty("kind", kind)
        # Re-polish so the stylesheet picks up the new property.
        self.style().unpolish(self)
        self.style().polish(self)
        for child in self.findChildren(QLabel):
            child.style().unpolish(child)
            child.style().polish(child)
        self._text = text
        self.label.setToolTip(text if self._reserved_lines else "")
        self.setAccessibleName({"error": "Problem", "success": "Done", "info": "Note"}[kind])
        self.setAccessibleDescription(text)
        if action is None:
            self.action.hide()
            self._action_callback = None
        else:
            self.action.setText(action[0])
            self._action_callback = action[1]
            self.action.show()
        self._show_text()
        self.show()

    def clear(self) -> None:
        self._text = ""
        self.label.clear()
        self.label.setToolTip("")
        self.action.hide()
        self._action_callback = None
        self.hide()

    @property
    def kind(self) -> str:
        return str(self.property("kind") or "")

    @property
    def text(self) -> str:
        return "" if self.isHidden() else self._text

    def _run_action(self) -> None:
        if self._action_callback is not None:
            self._action_callback()


def clear_done_messages(widget: QWidget) -> None:
    """Take down the success messages under ``widget`` (the screen the desk is leaving).

    "Saved" is news once: come back to the screen later and a green banner from a while ago
    reads as if it were about what is on screen now. Problems and notes stay until dealt with.
    """
    for banner in widget.findChildren(Banner):
        if banner.kind == "success" and not banner.isHidden():
            banner.clear()


def ask_to_discard(parent: QWidget, title: str, text: str) -> bool:
    """Esc on a form with unsaved changes: True when the person chooses to discard them."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard
