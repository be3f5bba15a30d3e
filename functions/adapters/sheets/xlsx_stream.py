"""Writing cells into a workbook without loading it: the zip copied part by part, the worksheets
written to streamed row by row (rows not written to pass through byte for byte), new cell looks
appended to the styles. Loading 100,000 customers into openpyxl to write their notes took 441 MiB;
this holds one row at a time.

Only cells go this way: values into rows and columns the tab has, and rows added below the last
(`Unstreamable` otherwise: a new tab, column or link, rows inserted on top, a sheet written in an
unusual form), so the caller writes those through openpyxl. Text is written as inline strings
(text stays text, "=1+1" is no formula); every other part of the file — staff's formatting,
validations, charts — is copied as it is.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr, unescape

from functions.adapters.sheets.a1 import column_index, column_letters

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
READ_SIZE = 1 << 20
_ROW = re.compile(rb"\s*(<row\b[^>]*?(?:/>|>.*?</row>))", re.S)
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not in XML 1.0 at all


class Unstreamable(Exception):
    """This write needs the whole workbook loaded (the message says why, for the log)."""


@dataclass(frozen=True)
class Look:
    """How a written cell looks: wrapped text, a number format (None: as the cell was)."""

    wrap: bool = False
    number_format: str | None = None


@dataclass(frozen=True)
class CellWrite:
    value: Any  # text, number, tick, or None to empty the cell
    look: Look | None = None


@dataclass
class SheetWrite:
    cells: dict[int, dict[int, CellWrite]]  # sheet row → 0-based column → what to write


ROW_POINTS = 15  # one line of the default font, in points
DEFAULT_WIDTH = 13.0  # a column the file gives no width, as openpyxl sizes it (the whole-workbook write)


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines `text` takes in a column `width` characters wide, wrapped at spaces."""
    per_line = max(int(width) - 1, 1)
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def row_height(lines: int) -> float | None:
    """LibreOffice and Excel do not grow a row for wrapped text: its height, when it takes more than a line."""
    return min(ROW_POINTS * lines, 409) if lines > 1 else None  # 409 pt: a row's most


def write_cells(source: Path, target: Path, writes: Mapping[str, SheetWrite]) -> None:
    """A copy of the workbook at `source`, at `target`, with `writes` (by tab title) done."""
    with zipfile.ZipFile(source) as book:
        parts = sheet_parts(book)
        if missing := [title for title in writes if title not in parts]:
            raise Unstreamable(f"no worksheet part for {missing}")
        styles = Styles(book.read("xl/styles.xml")) if "xl/styles.xml" in book.namelist() else None
        by_part = {parts[title]: write for title, write in writes.items()}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in book.infolist():
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type, copy.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
                if info.filename in by_part:
                    with book.open(info) as sheet, out.open(copy, "w", force_zip64=True) as written:
                        for piece in _sheet(sheet, by_part[info.filename], styles):
                            written.write(piece)
                elif info.filename != "xl/styles.xml":
                    with book.open(info) as part, out.open(copy, "w", force_zip64=True) as written:
                        shutil.copyfileobj(part, written, READ_SIZE)
            if styles is not None:  # last: the sheets' new looks are known once they are written
                out.writestr(book.getinfo("xl/styles.xml"), styles.xml(), zipfile.ZIP_DEFLATED)


def sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Tab title → its worksheet's part name in the zip."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    parts = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        target = targets.get(sheet.get(RELATIONSHIP), "")
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _sheet(source: IO[bytes], write: SheetWrite, styles: Styles | None) -> Iterator[bytes]:
    """The worksheet's XML with `write` done, a piece at a time."""
    buffer = b""
    chunks = iter(lambda: source.read(READ_SIZE), b"")
    while (start := buffer.find(b"<sheetData")) < 0 or buffer.find(b">", start) < 0:
        buffer += _next(chunks, "no <sheetData>")
    opened = buffer.index(b">", start) + 1
    if buffer[opened - 2 : opened] == b"/>":
        raise Unstreamable("an empty <sheetData/>")
    prefix = buffer[:opened]
    widths = _widths(prefix)
    yield _dimension(prefix, write)
    buffer, at = buffer[opened:], 0
    pending = sorted(write.cells)  # rows to write, in order; rows not in the sheet are made
    while True:
        match = _ROW.match(buffer, at)
        if match is None:
            if buffer[at:].lstrip().startswith(b"</sheetData>"):
                break
            buffer, at = buffer[at:] + _next(chunks, "a row that does not end"), 0
            continue
        row, at = match.group(1), match.end()
        number = _row_number(row)
        while pending and pending[0] < number:
            yield _row(None, pending.pop(0), write, styles, widths)
        if pending and pending[0] == number:
            yield _row(row, pending.pop(0), write, styles, widths)
        else:
            yield row
    for number in pending:
        yield _row(None, number, write, styles, widths)
    yield buffer[at:]
    yield from chunks


def _next(chunks: Iterator[bytes], why: str) -> bytes:
    chunk = next(chunks, b"")
    if not chunk:
        raise Unstreamable(why)
    return chunk


def _attributes(tag: bytes) -> dict[bytes, bytes]:
    return dict(_ATTRIBUTE.findall(tag))


def _row_number(row: bytes) -> int:
    number = _attributes(row[: row.index(b">")]).get(b"r")
    if number is None:
        raise Unstreamable("a row without its number")
    return int(number)


def _widths(prefix: bytes) -> dict[int, float]:
    """0-based column → width in characters, from <cols>."""
    widths = {}
    for col in re.findall(rb"<col\b[^>]*>", prefix):
        found = _attributes(col)
        if b"width" in found and b"min" in found and b"max" in found:
            for position in range(int(found[b"min"]) - 1, min(int(found[b"max"]), 16384)):
                widths[position] = float(found[b"width"])
    return widths


def _dimension(prefix: bytes, write: SheetWrite) -> bytes:
    """The <dimension> grown to cover the cells written (openpyxl reads only that far)."""
    rows = max(write.cells, default=1)
    columns = max((max(cells) + 1 for cells in write.cells.values() if cells), default=1)

    def grown(match: re.Match[bytes]) -> bytes:
        last = match.group(1).decode().rpartition(":")[2]
        letters = "".join(c for c in last if c.isalpha()) or "A"
        digits = "".join(c for c in last if c.isdigit()) or "1"
        corner = f"{column_letters(max(column_index(letters), columns - 1))}{max(int(digits), rows)}"
        return f'<dimension ref="A1:{corner}"'.encode()

    return re.sub(rb'<dimension ref="([^"]*)"', grown, prefix, count=1)


def _row(row: bytes | None, number: int, write: SheetWrite, styles: Styles | None, widths: dict[int, float]) -> bytes:
    """The row with its cells written (`row` None: a new row)."""
    wanted = write.cells[number]
    cells: dict[int, bytes] = {}
    found: dict[int, dict[bytes, bytes]] = {}  # the attributes of the cells there
    if row is None:
        attributes = {b"r": str(number).encode()}
    else:
        end = row.index(b">")
        attributes = _attributes(row[:end])
        body = b"" if row[end - 1 : end] == b"/" else row[end + 1 : -len(b"</row>")]
        for match in _CELL.finditer(body):
            cell_attributes = _attributes(match.group(1))
            if b"r" not in cell_attributes:
                raise Unstreamable("a cell without its reference")
            position = column_index(cell_attributes[b"r"].decode().rstrip("0123456789"))
            cells[position], found[position] = match.group(0), cell_attributes
    for position, cell in wanted.items():
        cells[position] = _cell(f"{column_letters(position)}{number}", cell, found.get(position, {}), styles)
    attributes.pop(b"spans", None)  # a hint of the cells' extent, no longer true
    wrapped = [(p, c.value) for p, c in wanted.items() if c.look is not None and c.look.wrap and c.value]
    lines = max((wrapped_lines(text, widths.get(p) or DEFAULT_WIDTH) for p, text in wrapped), default=1)
    if (height := row_height(lines)) is not None:
        attributes[b"ht"], attributes[b"customHeight"] = str(height).encode(), b"1"
    head = b"<row" + b"".join(b" " + k + b'="' + v + b'"' for k, v in attributes.items()) + b">"
    return head + b"".join(cells[p] for p in sorted(cells)) + b"</row>"


def _cell(reference: str, cell: CellWrite, old: dict[bytes, bytes], styles: Styles | None) -> bytes:
    style = int(old.get(b"s", b"0"))
    if cell.look is not None and styles is not None:
        style = styles.with_look(style, cell.look)
    head = f'<c r="{reference}"' + (f' s="{style}"' if style else "")
    value = cell.value
    if value is None:
        return f"{head}/>".encode()
    if isinstance(value, bool):
        return f'{head} t="b"><v>{int(value)}</v></c>'.encode()
    if isinstance(value, (int, float)):
        return f"{head}><v>{value!r}</v></c>".encode()
    if isinstance(value, str):
        text = escape(_ILLEGAL.sub("", value))
        return f'{head} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'.encode()
    raise Unstreamable(f"a {type(value).__name__} value")


class Styles:
    """styles.xml, edited as bytes (the prefixes and extensions Excel wrote stay as they are): a
    cell look is a copy of the cell's own style with the wrap or number format added."""

    def __init__(self, xml: bytes):
        self.source = xml
        found = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", xml, re.S)
        if found is None:
            raise Unstreamable("styles without cellXfs")
        self.xfs = _XF.findall(found.group(1))
        self.added: list[bytes] = []
        self.formats: dict[str, int] = {}  # format code → id, custom ones
        for number_format in re.findall(rb"<numFmt\b[^>]*>", xml):
            found_format = _attributes(number_format)
            code = unescape(found_format[b"formatCode"].decode(), {"&quot;": '"', "&apos;": "'"})
            self.formats[code] = int(found_format[b"numFmtId"])
        self.new_formats: dict[str, int] = {}
        self.made: dict[tuple[int, Look], int] = {}

    def with_look(self, style: int, look: Look) -> int:
        if (style, look) in self.made:
            return self.made[(style, look)]
        base = self.xfs[style] if style < len(self.xfs) else self.xfs[0]
        end = base.index(b">")
        attributes = _attributes(base[:end])
        inner = b"" if base[end - 1 : end] == b"/" else base[end + 1 : -len(b"</xf>")]
        if look.number_format is not None:
            attributes[b"numFmtId"], attributes[b"applyNumberFormat"] = (
                str(self._format(look.number_format)).encode(),
                b"1",
            )
        if look.wrap:
            attributes[b"applyAlignment"] = b"1"
            inner = re.sub(rb"<alignment\b[^>]*?(?:/>|>.*?</alignment>)", b"", inner, flags=re.S)
            inner = b'<alignment vertical="top" wrapText="1"/>' + inner
        xf = b"<xf" + b"".join(b" " + k + b'="' + v + b'"' for k, v in attributes.items()) + b">" + inner + b"</xf>"
        self.added.append(xf)
        self.made[(style, look)] = len(self.xfs) + len(self.added) - 1
        return self.made[(style, look)]

    def _format(self, code: str) -> int:
        from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

        if code in BUILTIN_FORMATS_REVERSE:
            return int(BUILTIN_FORMATS_REVERSE[code])
        if code not in self.formats:
            self.formats[code] = self.new_formats[code] = max([163, *self.formats.values()]) + 1
        return self.formats[code]

    def xml(self) -> bytes:
        xml = self.source
        if self.added:
            count = len(self.xfs) + len(self.added)

            def grown(match: re.Match[bytes]) -> bytes:
                head = re.sub(rb'count="\d+"', f'count="{count}"'.encode(), match.group(1))
                return head + match.group(2) + b"".join(self.added) + b"</cellXfs>"

            xml = re.sub(rb"(<cellXfs\b[^>]*>)(.*?)</cellXfs>", grown, xml, count=1, flags=re.S)
        if self.new_formats:
            added = b"".join(f"<numFmt numFmtId=\"{i}\" formatCode={quoteattr(c)}/>".encode()
                             for c, i in self.new_formats.items())  # fmt: skip
            total = len(self.formats)
            if re.search(rb"<numFmts\b[^>]*/>", xml):
                xml = re.sub(rb"<numFmts\b[^>]*/>", f'<numFmts count="{total}">'.encode() + added + b"</numFmts>", xml,
                             count=1)  # fmt: skip
            elif b"<numFmts" in xml:
                xml = re.sub(rb"(<numFmts\b[^>]*?)count=\"\d+\"([^>]*>)", rb'\1count="%d"\2' % total, xml, count=1)
                xml = xml.replace(b"</numFmts>", added + b"</numFmts>", 1)
            else:
                xml = re.sub(rb"(<styleSheet\b[^>]*>)", rb'\1<numFmts count="%d">' % total + added + b"</numFmts>",
                             xml, count=1)  # fmt: skip
        return xml
