"""PDF building blocks with an embedded CJK font (WenQuanYi Micro Hei, shipped by a PyPI package).

Every document is a title, key/value tables and paragraphs, laid out by reportlab's platypus and
rendered to bytes; Chinese text wraps by character (`wordWrap="CJK"`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from importlib import resources

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "WenQuanYiMicroHei"


@cache
def register_font() -> str:
    """Register the CJK TrueType font once per process; the PDF embeds the glyphs it uses."""
    path = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
    with resources.as_file(path) as file:
        pdfmetrics.registerFont(TTFont(FONT, str(file), subfontIndex=0))
    return FONT


def _style(size: float, leading: float, alignment: int = 0) -> ParagraphStyle:
    return ParagraphStyle(
        f"cjk-{size}-{alignment}",
        fontName=register_font(),
        fontSize=size,
        leading=leading,
        alignment=alignment,
        wordWrap="CJK",
    )


def title(text: str) -> Flowable:
    return Paragraph(text, _style(16, 22, alignment=1))


def paragraph(text: str, size: float = 10.5) -> Flowable:
    return Paragraph(text, _style(size, size * 1.6))


def spacer(height_mm: float = 4) -> Flowable:
    return Spacer(1, height_mm * mm)


def table(rows: Sequence[Sequence[str]], widths_mm: Sequence[float]) -> Flowable:
    """A bordered table; every cell a wrapping CJK paragraph."""
    cell = _style(10, 15)
    data = [[Paragraph(str(value), cell) for value in row] for row in rows]
    grid = Table(data, colWidths=[w * mm for w in widths_mm])
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return grid


def render(flowables: list[Flowable], document_title: str) -> bytes:
    """The PDF bytes of `flowables` on A4."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=document_title,
        author="Training Data Hub",
    )
    document.build(flowables)
    return buffer.getvalue()
