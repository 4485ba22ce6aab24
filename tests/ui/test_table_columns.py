"""The shared rule for table columns: a row reads without scrolling sideways, the wrapping
column keeps its whole text, and the less important columns give way in their order."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from frontdesk.ui.widgets.table_columns import FittedColumns, share_width
from tests.helpers.screens import desk_style
from tests.helpers.tables import reads_whole, scrolls_sideways

# Key, key, give way second, give way first, wrap.
WANTED = [200, 120, 150, 150, 300]
FLOORS = [70, 70, 80, 80, 60]


def fitted(available: int) -> tuple[list[int], set[int]]:
    return share_width(available, WANTED, FLOORS, wrap=4, wrap_minimum=160, give_way=(3, 2))


def test_with_room_every_column_has_its_text_and_the_wrap_column_the_rest() -> None:
    widths, hidden = fitted(1200)
    assert hidden == set()
    assert widths[:4] == WANTED[:4]
    assert sum(widths) == 1200


def test_the_first_to_give_way_narrows_first() -> None:
    widths, hidden = fitted(710)  # 70 short: column 3 alone gives it
    assert hidden == set()
    assert widths[:3] == WANTED[:3] and widths[3] == 80
    assert widths[4] == 160 and sum(widths) == 710


def test_then_they_hide_in_order_and_the_key_columns_keep_their_text() -> None:
    widths, hidden = fitted(620)
    assert hidden == {3}
    assert widths[:2] == WANTED[:2] and widths[2] == 140  # what hiding freed came back
    assert sum(w for c, w in enumerate(widths) if c not in hidden) == 620
    widths, hidden = fitted(480)
    assert hidden == {2, 3}
    assert widths[:2] == WANTED[:2]
    assert sum(w for c, w in enumerate(widths) if c not in hidden) == 480


def test_at_last_the_key_columns_narrow_but_not_below_their_headers() -> None:
    widths, hidden = fitted(400)
    assert hidden == {2, 3}
    assert FLOORS[0] <= widths[0] < WANTED[0] and FLOORS[1] <= widths[1] < WANTED[1]
    assert widths[4] >= 160
    assert sum(w for c, w in enumerate(widths) if c not in hidden) == 400


def _table(qtbot: QtBot) -> QTableView:
    model = QStandardItemModel(0, 5)
    model.setHorizontalHeaderLabels(["Patient", "State", "Referred by", "Assignee", "Note"])
    for _ in range(3):
        model.appendRow(
            [
                QStandardItem("Núñez-García, María José (M0000001)"),
                QStandardItem("Awaiting records"),
                QStandardItem("Dr. Anil Patel, Riverside Family Medicine"),
                QStandardItem("Maria Lopez"),
                QStandardItem("3 unanswered attempts to reach the imaging centre: close?"),
            ]
        )
    table = QTableView()
    table.setModel(model)
    qtbot.addWidget(table)
    return table


def test_a_narrow_table_reads_without_scrolling_sideways_and_widens_again(
    qtbot: QtBot,
) -> None:
    # The desk's own style, whatever an earlier test in this process left.
    with desk_style():
        table = _table(qtbot)
        columns = FittedColumns(table, wrap=4, give_way=(3, 2))
        table.resize(560, 400)
        table.show()
        qtbot.waitExposed(table)
        qtbot.waitUntil(lambda: columns.hidden == {2, 3})
        assert not scrolls_sideways(table)
        for row in range(3):
            for column in (0, 1, 4):
                assert reads_whole(table, row, column), (row, column)
        table.resize(1500, 400)
        qtbot.waitUntil(lambda: columns.hidden == set())
        assert not scrolls_sideways(table)
        for column in range(5):
            assert reads_whole(table, 0, column), column


def test_without_the_rule_the_same_table_scrolls_sideways(qtbot: QtBot) -> None:
    """The check above can fail: sized to contents, these columns overflow the view."""
    table = _table(qtbot)
    table.resize(560, 400)
    table.show()
    table.resizeColumnsToContents()
    assert scrolls_sideways(table)


def test_a_long_list_measures_the_rows_in_view_and_those_scrolled_to(qtbot: QtBot) -> None:
    """The request queue fetches page after page: fitting must not read every row."""
    model = QStandardItemModel(0, 2)
    model.setHorizontalHeaderLabels(["Patient", "Next action"])
    for number in range(2_000):
        model.appendRow(
            [
                QStandardItem(f"Patient {number}"),
                QStandardItem("3 unanswered attempts to reach the imaging centre: close?"),
            ]
        )
    table = QTableView()
    table.setModel(model)
    qtbot.addWidget(table)
    columns = FittedColumns(table, wrap=1, wrap_minimum=120)
    table.resize(300, 300)
    table.show()
    qtbot.waitExposed(table)
    qtbot.waitUntil(lambda: table.columnWidth(1) < 250 and reads_whole(table, 0, 1))
    usual = table.verticalHeader().defaultSectionSize()
    assert table.rowHeight(1_500) == usual  # far below: not measured yet
    table.scrollTo(model.index(1_500, 1))
    qtbot.waitUntil(lambda: reads_whole(table, 1_500, 1))
    assert not scrolls_sideways(table)
    assert columns.hidden == set()
