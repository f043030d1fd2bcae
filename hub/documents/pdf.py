"""PDF building blocks with an embedded CJK font (WenQuanYi Micro Hei, shipped by a PyPI package).

Every document is a title, key/value tables and paragraphs, laid out by reportlab's platypus and
rendered to bytes; Chinese text wraps by character (`wordWrap="CJK"`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from importlib import resources

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
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


Span = tuple[tuple[int, int], tuple[int, int]]  # ((first col, first row), (last col, last row))


def grid(
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    *,
    spans: Sequence[Span] = (),
    heights_mm: dict[int, float] | None = None,
    size: float = 10,
) -> Flowable:
    """A paper form's table: bordered cells, merged cells (`spans`), tall rows to sign in.

    Cells are CJK paragraphs; a `<br/>` breaks a line inside a cell. Rows listed in
    `heights_mm` get at least that height, leaving room for a signature or a seal.
    """
    cell = _style(size, size * 1.5)
    data = [[Paragraph(str(value), cell) for value in row] for row in rows]
    tall = heights_mm or {}
    heights = [tall[n] * mm if n in tall else None for n in range(len(rows))]
    form = Table(data, colWidths=[w * mm for w in widths_mm], rowHeights=heights)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    style += [("SPAN", start, end) for start, end in spans]
    form.setStyle(TableStyle(style))
    return form


def qr_code(text: str, size_mm: float = 36) -> Flowable:
    """A QR code of `text` (e.g. a verification URL), drawn as vector modules, centred."""
    widget = QrCodeWidget(text, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    size = size_mm * mm
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    drawing.hAlign = "CENTER"
    return drawing


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
