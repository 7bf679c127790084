"""The person's HTML statement really renders: headless Chromium takes a screenshot of it.

Skipped only on a developer machine without Chromium; under CI=true a missing browser
is a failure, because then this check would silently never run.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from isf_ledger.adapters.render import person_statement
from tests.unit.test_render_person_statement import person_statement_data


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return found


def distinct_colours(png: bytes, limit: int = 50) -> int:
    """How many different pixel colours an 8-bit RGB(A) PNG has (counting stops at `limit`)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, header = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour_type = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour_type in (2, 6), "expected an 8-bit RGB or RGBA screenshot"
    size = 3 if colour_type == 2 else 4
    stride, raw = width * size, zlib.decompress(idat)
    previous, seen = bytearray(stride), set[bytes]()
    for row in range(height):
        kind = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - size] if i >= size else 0
            up, corner = previous[i], previous[i - size] if i >= size else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                nearest = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + nearest) & 0xFF
        seen.update(bytes(line[i : i + size]) for i in range(0, stride, size))
        if len(seen) >= limit:
            break
        previous = line
    return len(seen)


def test_the_person_statement_renders_to_a_readable_screenshot_in_headless_chromium(
    tmp_path: Path,
) -> None:
    browser = chromium()
    page = tmp_path / "statement.html"
    page.write_text(person_statement.render_html(person_statement_data()), encoding="utf-8")
    shot = tmp_path / "statement.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1000,1400",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    png = shot.read_bytes()
    assert len(png) > 20_000, "the screenshot is too small to hold a rendered statement"
    assert distinct_colours(png) >= 10, "the screenshot is (nearly) a single colour"
