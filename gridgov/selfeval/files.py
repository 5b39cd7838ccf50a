"""Write an evaluation's files: the tables (.xlsx), the report (.docx) and, asked for, the PDF of each."""

import tempfile
from pathlib import Path

from gridgov.reports import render
from gridgov.selfeval import checks, docx_report, pdf, store, xlsx_tables

FORMATS = ("xlsx", "docx", "pdf")
CONTENT_TYPES = {**render.CONTENT_TYPES, "pdf": "application/pdf"}
PARTS = (("tables", "xlsx"), ("report", "docx"))  # each source file and the PDF made from it


def parse_formats(text) -> list[str]:
    """'xlsx,pdf' → ['xlsx', 'pdf'], refusing anything else."""
    return render.parse_formats(text, FORMATS)


def available_formats() -> tuple[str, ...]:
    """The formats this machine can write (PDF needs LibreOffice)."""
    return FORMATS if pdf.available() else tuple(f for f in FORMATS if f != "pdf")


def file_stem(evaluation) -> str:
    """ASCII names travel through shells, zip tools and HTTP headers unharmed."""
    return f"selfeval-{evaluation.year}-{evaluation.pk}"


WRITERS = {"xlsx": xlsx_tables.write, "docx": docx_report.write}


def write(evaluation, formats=FORMATS, out_dir=".") -> list[Path]:
    """Write the asked formats; with "pdf", the PDF of the tables and of the report. Returns the paths written."""
    wanted = parse_formats(formats)
    out = render.out_dir_at(out_dir)
    data = store.document_of(evaluation)
    problems = checks.check(data)
    stem = file_stem(evaluation)
    written = []
    with tempfile.TemporaryDirectory(prefix="gridgov-selfeval-") as scratch:
        for part, fmt in PARTS:
            # A source only wanted for its PDF is written aside and not returned.
            if fmt not in wanted and "pdf" not in wanted:
                continue
            where = out if fmt in wanted else Path(scratch)
            source = WRITERS[fmt](data, where / f"{stem}-{part}.{fmt}", problems)
            if fmt in wanted:
                written.append(source)
            if "pdf" in wanted:
                written.append(pdf.convert(source, out))
    order = {fmt: n for n, fmt in enumerate(wanted)}
    return sorted(written, key=lambda p: order[p.suffix.lstrip(".")])
