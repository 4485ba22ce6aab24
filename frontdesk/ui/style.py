"""The app's one look: Fusion with a calm light palette and a small stylesheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QPushButton,
    QStyle,
    QStyleOption,
    QTabBar,
    QWidget,
)

# Status colours always travel with words ("Not saved: ...", "Inactive"): colour is a hint,
# never the only signal.
INK = "#1f2328"
MUTED = "#57606a"
ACCENT = "#2f6690"
WINDOW = "#f5f6f8"
PANEL = "#ffffff"
SIDEBAR = "#e9edf2"
ERROR_INK = "#a4161a"
ERROR_BACKGROUND = "#fdecea"
SUCCESS_INK = "#1e6b3a"
SUCCESS_BACKGROUND = "#e6f4ea"
INFO_INK = "#1f4e79"
INFO_BACKGROUND = "#e8f0f8"
# The demo practice's badge: it always says DEMO in words too.
DEMO_INK = "#5c3c00"
DEMO_BACKGROUND = "#fff3c4"

MIN_POINT_SIZE = 10

STYLESHEET = f"""
QWidget#sidebar {{
    background: {SIDEBAR};
    border: none;
    border-right: 1px solid #d0d7de;
}}
QListWidget#sidebar {{
    outline: 0;
    padding-top: 6px;
}}
QListWidget#sidebar::item {{
    padding: 10px 14px;
    border-radius: 4px;
    margin: 2px 6px;
    color: {INK};
}}
QListWidget#sidebar::item:selected {{
    background: {ACCENT};
    color: white;
}}
QListWidget#sidebar::item:hover:!selected {{
    background: #dde3ea;
}}
QLabel#pageTitle {{
    font-size: 16pt;
    font-weight: 600;
    color: {INK};
}}
QLabel#sectionTitle {{
    font-size: 12pt;
    font-weight: 600;
    color: {INK};
}}
QLabel#hint {{
    color: {MUTED};
}}
QLabel#fieldError {{
    color: {ERROR_INK};
}}
QLabel#emptyStateTitle {{
    font-size: 15pt;
    font-weight: 600;
    color: {INK};
}}
QLabel#emptyStateText {{
    color: {MUTED};
}}
QFrame#banner {{
    border-radius: 4px;
    border: 1px solid transparent;
    padding: 2px;
}}
QFrame#banner[kind="error"] {{
    background: {ERROR_BACKGROUND};
    border: 1px solid #f1b0aa;
}}
QFrame#banner[kind="error"] QLabel {{
    color: {ERROR_INK};
}}
QFrame#banner[kind="success"] {{
    background: {SUCCESS_BACKGROUND};
    border: 1px solid #a8d5b5;
}}
QFrame#banner[kind="success"] QLabel {{
    color: {SUCCESS_INK};
}}
QFrame#banner[kind="info"] {{
    background: {INFO_BACKGROUND};
    border: 1px solid #b6cde4;
}}
QFrame#banner[kind="info"] QLabel {{
    color: {INFO_INK};
}}
QLineEdit[readOnlyField="true"],
QPlainTextEdit[readOnlyField="true"],
QAbstractSpinBox[readOnlyField="true"] {{
    background: {WINDOW};
}}
QFrame#logoPreview {{
    background: {PANEL};
    border: 1px dashed #b8c0c8;
}}
QPushButton {{
    padding: 5px 14px;
}}
QPushButton:disabled {{
    color: #8c959f;
}}
QPushButton[primary="true"] {{
    background: {ACCENT};
    color: white;
    border: 1px solid #24506f;
    border-radius: 3px;
    padding: 6px 16px;
    font-weight: 600;
}}
QPushButton[primary="true"]:hover {{
    background: #28597d;
}}
QPushButton[primary="true"]:focus {{
    border: 2px solid #f0b429;
}}
QPushButton[primary="true"]:disabled {{
    background: #9fb6c8;
    border-color: #9fb6c8;
}}
QStatusBar QLabel {{
    color: {MUTED};
    padding: 0 8px;
}}
QStatusBar QLabel#demoBadge, QLabel#demoBadge {{
    background: {DEMO_BACKGROUND};
    color: {DEMO_INK};
    border: 1px solid #e0b84c;
    border-radius: 3px;
    font-weight: 600;
}}
"""


def mark_primary(button: QPushButton) -> QPushButton:
    """The one obvious next step on a screen (Save, Next): drawn in the accent colour."""
    button.setProperty("primary", True)
    return button


class _CompactTabs(QProxyStyle):
    """The app's style with 8 pixels either side of a tab's title instead of Fusion's 12."""

    def pixelMetric(
        self,
        metric: QStyle.PixelMetric,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
    ) -> int:
        if metric == QStyle.PixelMetric.PM_TabBarTabHSpace:
            return 16
        return super().pixelMetric(metric, option, widget)


def compact_tabs(bar: QTabBar) -> None:
    """Tighter tabs for a bar with many (Admin's): more whole titles in the same width, the
    look otherwise unchanged."""
    style = _CompactTabs(QApplication.style().name())
    style.setParent(bar)  # a widget does not own the style it is given
    bar.setStyle(style)


def palette() -> QPalette:
    result = QPalette()
    colours = {
        QPalette.ColorRole.Window: WINDOW,
        QPalette.ColorRole.WindowText: INK,
        QPalette.ColorRole.Base: PANEL,
        QPalette.ColorRole.AlternateBase: "#f0f3f6",
        QPalette.ColorRole.Text: INK,
        QPalette.ColorRole.Button: "#f3f4f6",
        QPalette.ColorRole.ButtonText: INK,
        QPalette.ColorRole.Highlight: ACCENT,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#fffbe6",
        QPalette.ColorRole.ToolTipText: INK,
        QPalette.ColorRole.PlaceholderText: "#8c959f",
        QPalette.ColorRole.Link: ACCENT,
    }
    for role, colour in colours.items():
        result.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        result.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8c959f"))
    return result


def apply_style(app: QApplication) -> None:
    """Fusion looks the same on every desk; the platform's font, never below a readable size."""
    app.setStyle("Fusion")
    app.setPalette(palette())
    font = QFont(app.font())
    if font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
        app.setFont(font)
    app.setStyleSheet(STYLESHEET)
