"""The report card of notebook 07: the notebook writes ``build/report_card.csv`` when it runs;
``make run`` puts it on the index page as an HTML table. The README's copy changes only when you
ask for it (``make readme``), which prints the rows that changed.

    python -m tools.report_card      # refresh the README's card from the last run's CSV
"""

from __future__ import annotations

import csv
import html
import sys
from pathlib import Path

from tools.course import BUILD_DIR, README, replace_readme_block

CSV_PATH = BUILD_DIR / "report_card.csv"
BLOCK = "report-card"  # the README's <!-- report-card:start --> ... <!-- report-card:end -->


def read(path: Path = CSV_PATH) -> tuple[list[str], list[list[str]]]:
    """The card's header (``method`` first, then the tests) and its rows, as strings."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run notebook 07 (make run) first")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows or rows[0][0] != "method" or len(rows) < 2:
        raise ValueError(f"{path} is not a report card: expected a 'method' column and rows")
    return rows[0], rows[1:]


def _number(text: str) -> str:
    """Two decimals; an empty cell is a dash, and a rounded negative zero is zero."""
    return f"{float(text) + 0.0:.2f}".replace("-0.00", "0.00") if text else "—"


def markdown(path: Path = CSV_PATH) -> str:
    """The card as a Markdown table, one row per method, numbers to two decimals."""
    header, rows = read(path)
    lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
    lines += ["| " + " | ".join([row[0]] + [_number(v) for v in row[1:]]) + " |" for row in rows]
    return "\n".join(lines)


def html_table(path: Path = CSV_PATH) -> str:
    """The card as an HTML table for the course's index page."""
    header, rows = read(path)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr><td>" + html.escape(row[0]) + "</td>"
                   + "".join(f"<td>{_number(v)}</td>" for v in row[1:]) + "</tr>\n"
                   for row in rows)
    return f"<table><tr>{head}</tr>\n{body}</table>"


def update_readme(path: Path = CSV_PATH, readme: Path = README) -> list[str]:
    """Replace the README's report-card block by the card; returns the Markdown rows that are
    new (empty when the README already showed this card)."""
    table = markdown(path)
    before = readme.read_text(encoding="utf-8")
    replace_readme_block(BLOCK, table, readme)
    return [row for row in table.splitlines()[2:] if row not in before]


def main() -> int:
    changed = update_readme()
    if not changed:
        print(f"README report card already matches {CSV_PATH}; nothing changed")
        return 0
    print(f"README report card refreshed from {CSV_PATH}; {len(changed)} rows changed:")
    print("\n".join(changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
