"""The text a PDF shows, read back with pypdf (our fonts are embedded subsets, so the raw
content stream holds glyph numbers, not characters)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
