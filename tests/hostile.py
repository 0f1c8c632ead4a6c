"""Hostile files, made small on the wire and without holding what they unpack to: shared by
tests/test_bad_input.py and bench/bad_input_bench.py."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def sheet_xml(rows: str, dimension: str = "A1:B2") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>').encode()


def xlsx_with_sheet(sheet_xml: bytes | None = None, stream=None) -> bytes:
    """A real xlsx from openpyxl whose first sheet's XML is replaced by ``sheet_xml`` (or
    written in pieces from ``stream``, for sheets too big to hold)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Vad ska göras?", "Prioritet"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                if stream is not None:
                    with dst.open(item.filename, "w") as f:
                        for piece in stream:
                            f.write(piece)
                else:
                    dst.writestr(item.filename, sheet_xml)
            else:
                dst.writestr(item, src.read(item.filename))
    return out.getvalue()


def empty_rows_bomb(megabytes: int = 160, dimension: str = "A1:AZ1048576") -> bytes:
    """A sheet with a header and then ``megabytes`` MB of empty rows, deflated about 1:1000; its
    dimension claims the most rows Excel has, which openpyxl fills in row by row."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<dimension ref="' + dimension.encode() + b'"/><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>Vad ska g\xc3\xb6ras?</t></is></c></row>')
    chunk = b"<row/>" * (1024 * 1024 // 6)

    def pieces():
        yield head
        for _ in range(megabytes):
            yield chunk
        yield b"</sheetData></worksheet>"

    return xlsx_with_sheet(stream=pieces())


def png_bomb(side: int = 7000) -> bytes:
    """A PNG of side×side black pixels, written row by row so the test never holds the pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (side * 3)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
