"""``make run``: execute every notebook offline in a fresh kernel and write the course under
``build/`` as static pages that open from disk:

    build/index.html                  the notebook table, both editions, slides, report card
    build/instructor/NN_name.html     the executed notebook, solutions shown
    build/student/NN_name.html        the same run with the solutions replaced by stubs
    build/student/NN_name.ipynb       the student notebook to work in
    build/notebooks/NN_name.ipynb     the executed notebook
    build/slides/NN_name.slides.html  the reveal.js deck (tools/slides.py)
    build/_static/                    reveal.js and MathJax, so nothing loads from a network

    python -m tools.build_site
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markupsafe
import nbformat
from nbconvert import HTMLExporter

from tools import editions, report_card, slides
from tools.course import (
    BUILD_DIR,
    EXECUTED_DIR,
    LOCAL_MATHJAX,
    TEMPLATE_DIR,
    OfflineRun,
    colab_url,
    execute,
    link_pages,
    notebooks,
    title,
    vendor_static,
)

EDITIONS = ("instructor", "student")


@dataclass
class Page:
    """One notebook of the site: its file stem, title and the seconds its run took."""

    stem: str
    title: str
    seconds: float


def _short(page: Page) -> str:
    """The title without its number, up to its colon ("LIME" for "03 · LIME: local ...")."""
    return html.escape(page.title.split("·", 1)[-1].strip()).split(":")[0]


def navigation(pages: list[Page], index: int, edition: str) -> str:
    """The bar at the top and bottom of a notebook page: index, previous and next notebook in
    the same edition, the other edition, the deck, the .ipynb and Colab."""
    page = pages[index]
    other = EDITIONS[1 - EDITIONS.index(edition)]
    notebook_file = (f"../notebooks/{page.stem}.ipynb" if edition == "instructor"
                     else f"{page.stem}.ipynb")
    links = ["<a href='../index.html'>Course index</a>"]
    if index > 0:
        before = pages[index - 1]
        links.append(f"<a href='{before.stem}.html'>← {before.stem[:2]} {_short(before)}</a>")
    links.append(f"<span class='here'>{html.escape(page.title)} ({edition} edition)</span>")
    if index + 1 < len(pages):
        after = pages[index + 1]
        links.append(f"<a href='{after.stem}.html'>{after.stem[:2]} {_short(after)} →</a>")
    links += [f"<a href='../{other}/{page.stem}.html'>{other} edition</a>",
              f"<a href='../slides/{page.stem}.slides.html'>slides</a>",
              f"<a href='{notebook_file}'>.ipynb</a>",
              f"<a href='{colab_url(Path(page.stem))}'>Open in Colab</a>"]
    return " · ".join(links)


def _exporter() -> HTMLExporter:
    return HTMLExporter(extra_template_basedirs=[str(TEMPLATE_DIR)],
                        extra_template_paths=[str(TEMPLATE_DIR)],  # for stix_mathjax.html.j2
                        template_name="course_html", mathjax_url=LOCAL_MATHJAX)


def write_pages(executed: dict[str, nbformat.NotebookNode], pages: list[Page],
                out_dir: Path = BUILD_DIR) -> None:
    """Both editions of every executed notebook as HTML, with the navigation bar."""
    exporter = _exporter()
    for index, page in enumerate(pages):
        notebook = executed[page.stem]
        versions = {"instructor": notebook,
                    "student": editions.student_edition(notebook, keep_outputs=True)}
        for edition, version in versions.items():
            body, _ = exporter.from_notebook_node(version, resources={
                "metadata": {"name": page.title},
                "course_nav": navigation(pages, index, edition)})
            target = out_dir / edition / f"{page.stem}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(link_pages(body, ".html"), encoding="utf-8")


def index_page(pages: list[Page], card: str) -> str:
    """The course's front page, from ``templates/site_index.html.j2``."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
                                     autoescape=True)
    rows = [{"stem": page.stem, "name": page.title.split("·", 1)[-1].strip(),
             "seconds": page.seconds, "colab": colab_url(Path(page.stem))} for page in pages]
    return environment.get_template("site_index.html.j2").render(pages=rows,
                                                                 card=markupsafe.Markup(card))


def main() -> int:
    """Execute every notebook and write the site; everything goes to build/ (the README's
    tables change only through ``make bench`` and ``make readme``)."""
    with OfflineRun("make run"):
        EXECUTED_DIR.mkdir(parents=True, exist_ok=True)
        vendor_static(BUILD_DIR / "_static")
        report_card.CSV_PATH.unlink(missing_ok=True)  # notebook 07 writes it afresh below
        editions.build(BUILD_DIR / "student")
        executed, pages = {}, []
        for path in notebooks():
            notebook, seconds = execute(path)
            nbformat.write(notebook, EXECUTED_DIR / path.name)
            executed[path.stem] = notebook
            pages.append(Page(path.stem, title(notebook), seconds))
            print(f"{seconds:6.1f} s  {path.name}", flush=True)
        write_pages(executed, pages, BUILD_DIR)
        slides.build(executed=executed)
        card = "<p>No report card: notebook 07 did not run.</p>"
        if report_card.CSV_PATH.exists():
            card = report_card.html_table()
        (BUILD_DIR / "index.html").write_text(index_page(pages, card), encoding="utf-8")
    print(f"course written to {BUILD_DIR / 'index.html'} (open it from disk; no server needed); "
          "`make readme` copies this run's report card into the README")
    return 0


if __name__ == "__main__":
    sys.exit(main())
