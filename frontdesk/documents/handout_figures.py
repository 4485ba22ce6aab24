"""Drawings for handouts, made with ReportLab graphics (no image files): the labelled spine
and the icons of the emergency and same-day boxes."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors

from frontdesk.documents.styles import ACCENT, FONT, FONT_BOLD, TEXT

BONE = colors.HexColor("#F3E6C8")
BONE_EDGE = colors.HexColor("#8C7650")
DISC = colors.HexColor("#7FB3D5")
DISC_EDGE = colors.HexColor("#2F6E99")
NERVE = colors.HexColor("#E3B505")
NERVE_EDGE = colors.HexColor("#9C7A00")
EMERGENCY = colors.HexColor("#B3261E")  # deep red: the emergency box's edge, title, icon
EMERGENCY_BACKGROUND = colors.HexColor("#FDECEA")
SAME_DAY = colors.HexColor("#B26A00")  # amber: "call our office the same day"
SAME_DAY_BACKGROUND = colors.HexColor("#FFF4D6")

SPINE_LABELS = {
    "en": {
        "title": "The lower spine, seen from the side",
        "vertebra": "Vertebra (a bone of the spine)",
        "disc": "Disc (a soft cushion between bones)",
        "canal": "Spinal canal (the space for the nerves)",
        "nerve": "Nerve leaving the spine",
        "front": "Front",
        "back": "Back",
    },
    "es": {
        "title": "La parte baja de la columna, vista de lado",
        "vertebra": "Vértebra (un hueso de la columna)",
        "disc": "Disco (un cojín blando entre los huesos)",
        "canal": "Canal espinal (el espacio de los nervios)",
        "nerve": "Nervio que sale de la columna",
        "front": "Frente",
        "back": "Espalda",
    },
}


def spine_labels(language: str) -> dict[str, str]:
    return SPINE_LABELS.get(language, SPINE_LABELS["en"])


def spine_diagram(language: str, width: float, *, font_size: float = 9.0) -> Drawing:
    """A side view of three lumbar vertebrae with their discs, the spinal canal and a nerve,
    each labelled in the handout's language. Scales with ``font_size`` (large print)."""
    words = spine_labels(language)
    scale = font_size / 9.0
    body_w, body_h, disc_h = 70 * scale, 34 * scale, 11 * scale
    levels = 3
    column_h = levels * body_h + (levels + 1) * disc_h
    height = column_h + 30 * scale
    drawing = Drawing(width, height)
    left = width * 0.06
    bottom = 8 * scale
    canal_x = left + body_w + 4 * scale
    canal_w = 16 * scale
    back_x = canal_x + canal_w + 2 * scale
    y = bottom
    body_centres: list[float] = []
    disc_centres: list[float] = []
    for level in range(levels + 1):
        drawing.add(
            Rect(
                left + 4 * scale,
                y,
                body_w - 8 * scale,
                disc_h,
                rx=5 * scale,
                ry=5 * scale,
                fillColor=DISC,
                strokeColor=DISC_EDGE,
                strokeWidth=0.8,
            )
        )
        disc_centres.append(y + disc_h / 2)
        y += disc_h
        if level == levels:
            break
        drawing.add(
            Rect(
                left,
                y,
                body_w,
                body_h,
                rx=4 * scale,
                ry=4 * scale,
                fillColor=BONE,
                strokeColor=BONE_EDGE,
                strokeWidth=0.9,
            )
        )
        # the arch behind the canal, and the spinous process pointing back
        drawing.add(
            Polygon(
                [
                    back_x,
                    y + body_h * 0.15,
                    back_x + 12 * scale,
                    y + body_h * 0.05,
                    back_x + 34 * scale,
                    y + body_h * 0.3,
                    back_x + 34 * scale,
                    y + body_h * 0.7,
                    back_x + 12 * scale,
                    y + body_h * 0.95,
                    back_x,
                    y + body_h * 0.85,
                ],
                fillColor=BONE,
                strokeColor=BONE_EDGE,
                strokeWidth=0.9,
            )
        )
        body_centres.append(y + body_h / 2)
        y += body_h
    # The canal with the nerves running down it, and one nerve leaving between two bones.
    drawing.add(
        Rect(
            canal_x,
            bottom,
            canal_w,
            column_h,
            fillColor=colors.HexColor("#FBF3D0"),
            strokeColor=None,
        )
    )
    drawing.add(
        Rect(
            canal_x + canal_w * 0.3,
            bottom,
            canal_w * 0.4,
            column_h,
            fillColor=NERVE,
            strokeColor=NERVE_EDGE,
            strokeWidth=0.6,
        )
    )
    exit_y = disc_centres[1]
    drawing.add(
        Line(
            canal_x + canal_w * 0.5,
            exit_y + 6 * scale,
            left + body_w * 0.55,
            exit_y - 9 * scale,
            strokeColor=NERVE_EDGE,
            strokeWidth=3.2 * scale,
        )
    )
    drawing.add(
        Line(
            canal_x + canal_w * 0.5,
            exit_y + 6 * scale,
            left + body_w * 0.55,
            exit_y - 9 * scale,
            strokeColor=NERVE,
            strokeWidth=2.2 * scale,
        )
    )
    # Labels to the right, each with a leader line to what it names.
    label_x = back_x + 52 * scale
    targets = [
        ("vertebra", back_x - canal_w - 10 * scale, body_centres[2]),
        ("disc", left + body_w - 10 * scale, disc_centres[2]),
        ("canal", canal_x + canal_w * 0.5, body_centres[1] + body_h * 0.1),
        ("nerve", left + body_w * 0.7, exit_y - 6 * scale),
    ]
    rows = [bottom + column_h - 6 * scale - index * (column_h / 4) for index in range(4)]
    for (key, tx, ty), row_y in zip(targets, rows, strict=True):
        drawing.add(
            Line(tx, ty, label_x - 4 * scale, row_y + 3 * scale, strokeColor=TEXT, strokeWidth=0.6)
        )
        drawing.add(Circle(tx, ty, 1.6 * scale, fillColor=TEXT, strokeColor=None))
        drawing.add(
            String(label_x, row_y, words[key], fontName=FONT, fontSize=font_size, fillColor=TEXT)
        )
    drawing.add(
        String(
            left,
            bottom + column_h + 12 * scale,
            words["title"],
            fontName=FONT_BOLD,
            fontSize=font_size * 1.05,
            fillColor=ACCENT,
        )
    )
    drawing.add(
        String(
            left + body_w / 2,
            bottom - 0.5 * scale - font_size * 0.9,
            words["front"],
            fontName=FONT,
            fontSize=font_size * 0.85,
            fillColor=TEXT,
            textAnchor="middle",
        )
    )
    drawing.add(
        String(
            back_x + 17 * scale,
            bottom - 0.5 * scale - font_size * 0.9,
            words["back"],
            fontName=FONT,
            fontSize=font_size * 0.85,
            fillColor=TEXT,
            textAnchor="middle",
        )
    )
    drawing.height = height + font_size
    drawing.translate(0, font_size)
    return drawing


def emergency_icon(size: float) -> Drawing:
    """A red warning triangle with "!" (the emergency box)."""
    drawing = Drawing(size, size)
    drawing.add(
        Polygon(
            [size * 0.5, size * 0.97, size * 0.02, size * 0.08, size * 0.98, size * 0.08],
            fillColor=EMERGENCY,
            strokeColor=EMERGENCY,
            strokeWidth=1,
            strokeLineJoin=1,
        )
    )
    drawing.add(
        String(
            size * 0.5,
            size * 0.2,
            "!",
            fontName=FONT_BOLD,
            fontSize=size * 0.62,
            fillColor=colors.white,
            textAnchor="middle",
        )
    )
    return drawing


def same_day_icon(size: float) -> Drawing:
    """An amber clock face (call the same day)."""
    drawing = Drawing(size, size)
    centre, radius = size / 2, size * 0.45
    drawing.add(Circle(centre, centre, radius, fillColor=SAME_DAY, strokeColor=None))
    drawing.add(Circle(centre, centre, radius * 0.78, fillColor=colors.white, strokeColor=None))
    drawing.add(
        Line(
            centre,
            centre,
            centre,
            centre + radius * 0.6,
            strokeColor=SAME_DAY,
            strokeWidth=size * 0.09,
            strokeLineCap=1,
        )
    )
    drawing.add(
        Line(
            centre,
            centre,
            centre + radius * 0.45,
            centre,
            strokeColor=SAME_DAY,
            strokeWidth=size * 0.09,
            strokeLineCap=1,
        )
    )
    return drawing
