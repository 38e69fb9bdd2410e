"""Reading and writing hotword lists: the cloud's JSON, CSV/TSV with a header, and plain text.

Parsing takes bytes and returns a report; it never raises on bad content. Rows that break a
rule are listed with their line numbers and left out, so a failed import can never damage the
list it was meant for: the caller decides what to do with the valid rows.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from .hotwords import DEFAULT_WEIGHT, Hotword, check_hotword
from .models import ModelInfo, model_info

MAX_IMPORT_BYTES = 5 * 1024 * 1024
KNOWN_KEYS = {"text", "weight", "lang"}


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    TEXT = "txt"


@dataclass(frozen=True)
class ImportIssue:
    """A row the import could not take as it is.

    `line` is the 1-based line in the file and `row` the 1-based entry number (header excluded);
    both are 0 when the finding is about the whole file.
    """

    line: int
    message: str
    fatal: bool = True  # False: the row was imported, with a note
    code: str = "unreadable-row"
    row: int = 0

    def describe(self) -> str:
        if self.line == 0:
            return f"file: {self.code}: {self.message}"
        return f"row {self.row}: {self.code}: {self.message} (line {self.line})"


@dataclass
class ImportReport:
    format: Format | None
    items: list[Hotword] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # source line of each item
    rows: list[int] = field(default_factory=list)  # entry number of each item in the file
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def rejected(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.fatal]

    @property
    def unreadable(self) -> bool:
        """Nothing could be read at all (not a list file, wrong encoding, too big)."""
        return any(i.line == 0 and i.fatal for i in self.issues) and not self.items

    def summary(self) -> str:
        n_bad = len({i.line for i in self.rejected})
        return f"{len(self.items)} hotwords read, {n_bad} rows left out"


def guess_format(filename: str | None, text: str) -> Format:
    name = (filename or "").lower()
    for fmt, exts in ((Format.JSON, (".json",)), (Format.TSV, (".tsv", ".tab")), (Format.CSV, (".csv",)),
                      (Format.TEXT, (".txt", ".lst"))):
        if name.endswith(exts):
            return fmt
    head = text.lstrip()
    if head.startswith("["):
        return Format.JSON
    first = head.splitlines()[0].strip().lower() if head else ""
    if first.startswith("text\t") or first == "text":
        return Format.TSV if "\t" in first else Format.TEXT
    if first.startswith("text,"):
        return Format.CSV
    return Format.TEXT


def decode_bytes(data: bytes, report: ImportReport) -> str | None:
    """UTF-8 (with or without BOM) or UTF-16 with BOM. Lines in another encoding are reported."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            report.issues.append(ImportIssue(0, "The file says it is UTF-16 but is not valid UTF-16."))
            return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Mixed encodings: keep the lines that are UTF-8, name the others.
    lines = []
    for n, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            report.issues.append(ImportIssue(n, "This line is not UTF-8 text (another encoding, such "
                                             "as GBK or Latin-1?); save the file as UTF-8."))
            lines.append("")
    if all(not line.strip() for line in lines):
        report.issues.append(ImportIssue(0, "The file is not UTF-8 text. Save it as UTF-8 and try again."))
        return None
    return "\n".join(lines)


def parse_hotwords(data: bytes, filename: str | None = None, target_model: str = "fun-asr",
                   fmt: Format | None = None) -> ImportReport:
    report = ImportReport(fmt)
    if len(data) > MAX_IMPORT_BYTES:
        report.issues.append(ImportIssue(0, "The file is larger than a hotword list file may be "
                                         f"(at most {MAX_IMPORT_BYTES // (1024 * 1024)} MB)."))
        return report
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        report.issues.append(ImportIssue(0, "This is a binary file, not a hotword list."))
        return report
    text = decode_bytes(data, report)
    if text is None:
        return report
    report.format = fmt = fmt or guess_format(filename, text)
    try:
        rows = _read_rows(text, fmt, report)
        _check_rows(rows, model_info(target_model), report)
    except RecursionError:  # a row nested deeper than the checks expect; the file cannot be a list
        report.items, report.lines, report.rows = [], [], []
        report.issues = [ImportIssue(0, _NESTED_MESSAGE, code="nested-too-deep")]
        return report
    if not rows and not report.issues:
        report.issues.append(ImportIssue(0, "The file holds no hotwords.", fatal=False))
    return report


def _read_rows(text: str, fmt: Format, report: ImportReport) -> list[tuple[int, object]]:
    if fmt is Format.JSON:
        return _json_rows(text, report)
    if fmt in (Format.CSV, Format.TSV):
        return _table_rows(text, "\t" if fmt is Format.TSV else ",", report)
    return _text_rows(text)


def _check_rows(rows: list[tuple[int, object]], model: ModelInfo, report: ImportReport) -> None:
    """Each row through the hotword rules: valid ones become items, the others issues."""
    for row, (line, raw) in enumerate(rows, start=1):
        first_issue = len(report.issues)
        item = _to_hotword(raw, line, report)
        problems = check_hotword(item, model) if item is not None else []
        report.issues += [ImportIssue(line, p.message, code=p.code) for p in problems]
        for i in range(first_issue, len(report.issues)):
            report.issues[i] = replace(report.issues[i], row=row)
        if item is None or problems:
            continue
        item.text = item.text.strip()
        report.items.append(item)
        report.lines.append(line)
        report.rows.append(row)


_JSON_SPACE = " \t\r\n"
_NESTED_MESSAGE = ("The JSON is nested too deeply to be a hotword list (a list of "
                   '{"text": ..., "weight": ...} objects).')


def _skip(text: str, i: int, chars: str = _JSON_SPACE) -> int:
    while i < len(text) and text[i] in chars:
        i += 1
    return i


def _vocabulary_start(text: str) -> int:
    """Where the top-level object's "vocabulary" array starts, found by walking its members (a
    search for the word would also match it inside a string, such as {"meta": {"vocabulary": "[x"}}).
    The last "vocabulary" member wins, as it does for json.loads."""
    decoder = json.JSONDecoder()
    i, start = _skip(text, _skip(text, 0) + 1), -1
    while text[i] != "}":
        key, i = decoder.raw_decode(text, i)
        i = _skip(text, _skip(text, i) + 1)  # the colon
        value_at = i
        _, i = decoder.raw_decode(text, i)
        if key == "vocabulary":
            start = value_at
        i = _skip(text, i, _JSON_SPACE + ",")
    return start


def _json_rows(text: str, report: ImportReport) -> list[tuple[int, object]]:
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as e:
        report.issues.append(ImportIssue(e.lineno, f"Not valid JSON: {e.msg} (column {e.colno})."))
        return []
    except RecursionError:
        report.issues.append(ImportIssue(0, _NESTED_MESSAGE, code="nested-too-deep"))
        return []
    if isinstance(whole, dict) and isinstance(whole.get("vocabulary"), list):
        whole = whole["vocabulary"]  # a query_vocabulary output pasted whole
        start = _vocabulary_start(text)
    elif isinstance(whole, list):
        start = _skip(text, 0)
    else:
        report.issues.append(ImportIssue(0, "The JSON must be a list of hotwords: "
                                         '[{"text": "...", "weight": 4, "lang": "en"}, ...].'))
        return []
    # Walk the array again with raw_decode to learn each element's line number, counting the
    # line breaks only between one element and the next, so the walk stays linear.
    decoder = json.JSONDecoder()
    rows, i, line, counted = [], start + 1, 1, 0
    for _ in whole:
        i = _skip(text, i, _JSON_SPACE + ",")
        value, end = decoder.raw_decode(text, i)
        line += text.count("\n", counted, i)
        counted = i
        rows.append((line, value))
        i = end
    return rows


def _table_rows(text: str, delimiter: str, report: ImportReport) -> list[tuple[int, object]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, object]] = []
    header: list[str] | None = None
    for record in _records(reader, report):
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            lowered = [c.strip().lower() for c in record]
            if "text" in lowered:
                header = lowered
                continue
            header = ["text", "weight", "lang"][: max(1, len(record))]
            report.issues.append(ImportIssue(line, "No header row; reading columns as text, weight, "
                                             "lang.", fatal=False))
        row: dict[str, object] = {}
        for key, cell in zip(header, record, strict=False):
            if key in KNOWN_KEYS and cell.strip():
                row[key] = cell if key == "text" else cell.strip()
        if len(record) > len(header):
            report.issues.append(ImportIssue(line, "This row has more cells than the header; a text "
                                             "with a comma must be in double quotes."))
            continue
        if "weight" in row:
            row["weight"] = _table_weight(str(row["weight"]))
        rows.append((line, row))
    return rows


def _records(reader, report: ImportReport) -> Iterator[list[str]]:
    """The reader's records; a table the csv module gives up on (a cell over its 128 KB limit,
    usually a quote mark without its pair) ends with an issue instead of an exception."""
    try:
        yield from reader
    except csv.Error as e:
        report.issues.append(ImportIssue(reader.line_num, f"The table cannot be read from this line on "
                                         f"({e}); is a quote mark missing its pair?",
                                         code="unreadable-table"))


def _table_weight(cell: str) -> object:
    try:
        return int(cell)
    except ValueError:
        return cell  # reported by the weight rule with the cell as typed


def _text_rows(text: str) -> list[tuple[int, object]]:
    return [(n, {"text": line}) for n, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]


def _to_hotword(raw: object, line: int, report: ImportReport) -> Hotword | None:
    if not isinstance(raw, dict):
        shown = "a list" if isinstance(raw, list) else json.dumps(raw)[:40]
        report.issues.append(ImportIssue(line, f"Expected an object with \"text\", got {shown}.",
                                         code="row-not-object"))
        return None
    extra = sorted(set(raw) - KNOWN_KEYS)
    if extra:
        report.issues.append(ImportIssue(line, f"Ignored unknown field(s): {', '.join(extra)}.", False,
                                         "unknown-field"))
    if "text" not in raw:
        report.issues.append(ImportIssue(line, "The row has no \"text\".", code="text-missing"))
        return None
    lang = raw.get("lang")
    return Hotword(raw["text"], raw.get("weight", DEFAULT_WEIGHT), lang if lang != "" else None)


def to_json(items: Sequence[Hotword], indent: int | None = 2) -> str:
    """Exactly the cloud's `vocabulary` array, ready to paste into an API call."""
    return json.dumps([h.to_cloud() for h in items], ensure_ascii=False, indent=indent)


def to_table(items: Sequence[Hotword], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["text", "weight", "lang"])
    for h in items:
        writer.writerow([h.text.strip(), h.weight, h.lang or ""])
    return out.getvalue()


def to_text(items: Sequence[Hotword]) -> str:
    return "".join(h.text.strip() + "\n" for h in items)


def serialize(items: Sequence[Hotword], fmt: Format) -> str:
    if fmt is Format.JSON:
        return to_json(items) + "\n"
    if fmt is Format.CSV:
        return to_table(items, ",")
    if fmt is Format.TSV:
        return to_table(items, "\t")
    return to_text(items)


def format_for_path(path: str) -> Format:
    return guess_format(path, "")
