"""The one PDF base (fpdf2) for every printable document: fonts that print any patient's
name, the document's metadata, and the footer with page numbers on every page.

fpdf2's built-in fonts (Helvetica...) speak Latin-1 only, so "Nguyễn" printed "Nguy?n". The
fonts ship inside the package (a clinic laptop has no fonts we can count on and no network):
DejaVu Sans, regular and bold, covers Latin (Vietnamese, Polish...), Greek and Cyrillic;
Droid Sans Fallback covers Chinese, Japanese and Korean, and fpdf2 switches to it glyph by
glyph wherever DejaVu has no glyph. Licences sit next to the fonts in fonts/.

Parsing the 4 MB CJK font costs about half a second, so it is loaded only by a document
whose text has a character DejaVu cannot draw (most documents never need it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import TTFFont

FONTS_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVuSans"
_CJK_FALLBACK = "DroidSansFallback"


class KetaCarePDF(FPDF):
    """An FPDF with the Unicode fonts registered and selected (family FONT, styles "" and
    "B"), creator KetaCare, and a footer: `footer_text` on the left, "Page n of N" on the
    right."""

    footer_text = ""

    def __init__(self, *args: Any, title: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_font(FONT, "", FONTS_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONTS_DIR / "DejaVuSans-Bold.ttf")
        regular = self.fonts[FONT.lower()]
        if not isinstance(regular, TTFFont):  # added from a .ttf just above
            raise TypeError(f"{FONT} did not load as a TrueType font")
        self._drawable = frozenset(regular.cmap)
        self._cjk_loaded = False
        self.set_creator("KetaCare")
        if title:
            self.set_title(title)
        self.set_font(FONT, size=9)

    def normalize_text(self, text: str) -> str:
        # fpdf2 passes every text through here before it lays it out: the moment to load the
        # CJK fallback, once, if this text needs a glyph DejaVu does not have.
        if not self._cjk_loaded and any(
            ch >= " " and ord(ch) not in self._drawable for ch in text
        ):  # control characters (line breaks) are layout, not glyphs
            self.add_font(_CJK_FALLBACK, "", FONTS_DIR / "DroidSansFallback.ttf")
            # Bold CJK text falls back to the regular face (there is no bold Droid fallback).
            self.set_fallback_fonts([_CJK_FALLBACK], exact_match=False)
            self._cjk_loaded = True
        return super().normalize_text(text)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.set_text_color(90)
        self.cell(0, 6, self.footer_text, align="L")
        self.set_x(-40)
        self.cell(30, 6, f"Page {self.page_no()} of {{nb}}", align="R")
