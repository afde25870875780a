"""``make run``: execute every notebook offline in a fresh kernel and write the course under
``build/``: executed notebooks, their HTML, the student edition and an index page.

    python -m tools.build_site
"""

from __future__ import annotations

import html
import sys

import nbformat
from nbconvert import HTMLExporter

from tools import editions, report_card
from tools.course import (
    BUILD_DIR,
    enable_offline_guard,
    execute,
    network_attempts,
    notebooks,
    quiet_environment,
    title,
)


def _page(rows: list[str], card: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Explainable ML, hands-on</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ccc;padding:.4em .8em;
text-align:left}}</style></head><body>
<h1>Explainable ML, hands-on</h1>
<p>Every notebook below was executed offline by <code>make run</code>.</p>
<table><tr><th>notebook</th><th>executed (HTML)</th><th>notebook files</th><th>run time</th></tr>
{''.join(rows)}
</table>
<h2>Report card (notebook 07)</h2>
<p>Every number was computed by notebook 07 in this run (<a href="report_card.csv">CSV</a>);
the notebook explains each test and its pass mark.</p>
{card}
</body></html>
"""


def main() -> int:
    quiet_environment()
    netlog = enable_offline_guard()
    executed_dir, student_dir = BUILD_DIR / "notebooks", BUILD_DIR / "student"
    executed_dir.mkdir(parents=True, exist_ok=True)
    report_card.CSV_PATH.unlink(missing_ok=True)  # notebook 07 writes it afresh below
    editions.build(student_dir)
    exporter = HTMLExporter()
    rows = []
    for path in notebooks():
        notebook, seconds = execute(path)
        nbformat.write(notebook, executed_dir / path.name)
        body, _ = exporter.from_notebook_node(notebook)
        (BUILD_DIR / f"{path.stem}.html").write_text(body, encoding="utf-8")
        name = html.escape(title(notebook))
        rows.append(
            f"<tr><td>{name}</td><td><a href='{path.stem}.html'>{path.stem}.html</a></td>"
            f"<td><a href='notebooks/{path.name}'>instructor</a> · "
            f"<a href='student/{path.name}'>student</a></td><td>{seconds:.1f} s</td></tr>\n"
        )
        print(f"{seconds:6.1f} s  {path.name}", flush=True)
    card = "<p>No report card: notebook 07 did not run.</p>"
    if report_card.CSV_PATH.exists():
        card = report_card.html_table()
        report_card.update_readme()
        print("README report card refreshed from build/report_card.csv")
    (BUILD_DIR / "index.html").write_text(_page(rows, card), encoding="utf-8")
    attempts = network_attempts(netlog)
    if attempts:
        print("NETWORK ACCESS ATTEMPTED (the course must run offline):\n" + attempts)
        return 1
    print(f"course written to {BUILD_DIR / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
