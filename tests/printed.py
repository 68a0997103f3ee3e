"""Reading the report's cells back from printed forms (a Word file's tables, a PDF's tables):
the round trip of every cell of the data file.

A table is given as rows of cell texts (merged cells once, or repeated, or None in the slots
they cover). A row whose label is a row of the edition gives that row's values, in the order of
its columns; § 四's one row of fifteen numbers gives its rows × columns in order.
"""
from __future__ import annotations

import re

NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def compact(text) -> str:
    return re.sub(r"\s+", "", text or "")


def cells_from_rows(edition, rows: list[list]) -> dict[tuple[str, str, str], str]:
    labels = {}
    for table in edition.tables.values():
        for row in table.rows:
            if table.id != "appeals":
                labels[compact(row.label)] = (table, row)
    appeals = edition.tables["appeals"]
    appeal_keys = [(r.id, c.id) for r in appeals.rows for c in appeals.columns_of(r.id)]
    found = {}
    for row in rows:
        texts = [compact(t) for t in row if t is not None and compact(t)]
        hits = [i for i, t in enumerate(texts) if t in labels]
        if hits:
            table, line = labels[texts[hits[-1]]]
            values = [t for t in texts[hits[-1] + 1:] if NUMBER.match(t)]
            for column, value in zip(table.columns_of(line.id), values):
                found[(table.id, line.id, column.id)] = value
        elif len(texts) == len(appeal_keys) and all(NUMBER.match(t) for t in texts):
            for (row_id, column_id), value in zip(appeal_keys, texts):
                found[("appeals", row_id, column_id)] = value
    return found


def data_cells(report) -> dict[tuple[str, str, str], float]:
    cells = {}
    for table_id, table in report.edition.tables.items():
        frame = report.tables[table_id]
        for row_id, column_id in table.cells:
            cells[(table_id, row_id, column_id)] = float(frame.at[row_id, column_id])
    return cells


def docx_rows(table) -> list[list[str]]:
    """A python-docx table as rows of texts, a horizontally merged cell once."""
    rows = []
    for row in table.rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                texts.append(cell.text)
        rows.append(texts)
    return rows


def pdf_rows(pdf_path) -> tuple[list[list], list[str]]:
    """Every table row of a PDF (pdfplumber, from the ruled lines) and each page's text."""
    import pdfplumber
    rows, texts = [], []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            texts.append(page.extract_text() or "")
            for table in page.extract_tables():
                rows.extend(table)
    return rows, texts
