"""Reading PDFs back as a person would: rendered to pixels (pdftoppm) and to text (pdftotext)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def ink_ratio(pdf: bytes, folder: Path) -> float:
    """The share of dark pixels on the first page, rendered in greyscale at 50 dpi."""
    source = folder / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-gray", "-f", "1", "-l", "1", str(source), str(folder / "page")],
        check=True,
    )
    (image,) = folder.glob("page*.pgm")
    data = image.read_bytes()
    # Binary PGM: "P5 <width> <height> <max>" and one whitespace, then one byte per pixel.
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", data)
    assert header is not None
    count = int(header[1]) * int(header[2])
    pixels = data[header.end() : header.end() + count]
    return sum(1 for value in pixels if value < 128) / count


def text_of(pdf: bytes, folder: Path) -> str:
    """The PDF's text as extracted by pdftotext (proves the glyphs map back to Unicode)."""
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


def flat_text(pdf: bytes, folder: Path) -> str:
    """The PDF's text in reading order with all whitespace removed, so that a label wrapped
    inside a form's cell still reads as one string."""
    source = folder / "flat.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-raw", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"\s+", "", text)


def first_page_png(pdf: bytes, path: Path) -> Path:
    """The first page rendered to PNG at 80 dpi (for a person to look at)."""
    source = path.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "80",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            str(source),
            str(path),
        ],
        check=True,
    )
    return path.with_suffix(".png")


def qr_codes(png: Path) -> list[str]:
    """The texts of the QR codes a page image shows, decoded by zxing-cpp."""
    import zxingcpp
    from PIL import Image

    with Image.open(png) as image:
        return [code.text for code in zxingcpp.read_barcodes(image)]
