"""Build resources/fonts/FrontDeskCJK-*.ttf: Noto Sans CJK SC cut to the name sets, as TrueType.

ReportLab embeds only TrueType outlines, and the Noto Sans CJK collection is CFF (about
19 MB for all its faces). This keeps the characters of the national standard sets names are
written in, converts the cubic outlines to quadratic ones, and drops layout tables a name
does not need. Run with fontTools installed (it is a build tool, not a runtime dependency):

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb noto
    python tools/make_cjk_font.py noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
    python tools/make_cjk_font.py noto/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc \\
        --output resources/fonts/FrontDeskCJK-Bold.ttf
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

FACE = "Noto Sans CJK SC"  # one face: Han characters drawn in mainland forms, all scripts kept
OUTPUT = Path(__file__).resolve().parent.parent / "resources" / "fonts"


def _double_byte(codec: str, leads: range, trails: list[int]) -> set[int]:
    found: set[int] = set()
    for lead in leads:
        for trail in trails:
            try:
                text = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            found.update(ord(c) for c in text)
    return found


def name_characters() -> set[int]:
    """GB 2312, Big5 common, JIS X 0208 (levels 1 and 2), KS X 1001, all Hangul syllables."""
    high = list(range(0xA1, 0xFF))
    chars = _double_byte("gb2312", range(0xA1, 0xF8), high)
    # Big5 "frequently used" hanzi: A440-C67E; symbols A140-A3BF
    chars |= _double_byte("big5", range(0xA1, 0xC7), list(range(0x40, 0x7F)) + high)
    chars |= _double_byte("euc_jp", range(0xA1, 0xF5), high)
    chars |= _double_byte("euc_kr", range(0xA1, 0xFF), high)
    chars |= set(range(0xAC00, 0xD7A4))  # every Hangul syllable: Korean names are spelled freely
    chars |= set(range(0x3000, 0x3100))  # CJK punctuation, hiragana, katakana
    chars |= set(range(0xFF00, 0xFFF0))  # full-width forms
    return {c for c in chars if c > 0x2FF}  # Latin stays in the main font


def to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines with quadratic TrueType ones (fontTools' otf2ttf recipe)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in [
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ]:
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    post = font["post"]
    post.formatType = 3.0  # no glyph names: ReportLab does not need them
    post.extraNames = []
    post.mapping = {}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("collection", type=Path, help="NotoSansCJK-Regular.ttc")
    parser.add_argument("--output", type=Path, default=OUTPUT / "FrontDeskCJK-Regular.ttf")
    args = parser.parse_args(argv)
    collection = TTCollection(str(args.collection), lazy=False)
    font = next(f for f in collection.fonts if f["name"].getDebugName(4).startswith(FACE))
    options = subset.Options()
    options.layout_features = []  # names are set horizontally, unshaped
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_legacy = True
    options.name_languages = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=name_characters())
    subsetter.subset(font)
    to_truetype(font)
    font.save(str(args.output))
    print(
        f"{args.output}: {args.output.stat().st_size / 1e6:.1f} MB,",
        f"{len(font.getGlyphOrder())} glyphs",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
