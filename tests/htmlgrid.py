"""Reading an HTML table as the grid a reader sees: merged cells repeated in every slot."""
from __future__ import annotations


def grid(table) -> list[list]:
    rows = table.find_all("tr")
    out: list[list] = [[] for _ in rows]
    for r, tr in enumerate(rows):
        k = 0
        for cell in tr.find_all(["th", "td"], recursive=False):
            while k < len(out[r]) and out[r][k] is not None:
                k += 1
            rowspan, colspan = int(cell.get("rowspan", 1)), int(cell.get("colspan", 1))
            for dr in range(rowspan):
                row = out[r + dr]
                while len(row) < k + colspan:
                    row.append(None)
                for dc in range(colspan):
                    row[k + dc] = cell
            k += colspan
    return out


def text(cell) -> str:
    return cell.get_text(strip=True) if cell is not None else ""


def cell_at(g: list[list], row_labels: set[str], column_labels: set[str]):
    """The one <td> whose row carries all row_labels and whose column, above it, all column_labels."""
    hits = []
    for r, row in enumerate(g):
        if not row_labels <= {text(c) for c in row if c is not None and c.name == "th"}:
            continue
        for k, cell in enumerate(row):
            if cell is None or cell.name != "td" or any(cell is h for h in hits):
                continue
            above = {text(g[x][k]) for x in range(r) if k < len(g[x]) and g[x][k] is not None and g[x][k].name == "th"}
            if column_labels <= above:
                hits.append(cell)
    assert len(hits) == 1, f"{row_labels} × {column_labels}: {len(hits)} cells"
    return hits[0]
