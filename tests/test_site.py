"""The course site and its decks: every notebook makes a reveal.js deck from the slide
metadata in its source, every page has its navigation, both editions are written, and nothing
loads from a network."""

from __future__ import annotations

import re

import nbformat
import pytest

from tools import build_site, slides
from tools.course import link_pages, notebooks, title

NOTEBOOKS = notebooks()
IDS = [p.stem for p in NOTEBOOKS]
REMOTE_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']https?://")


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=list(cells))


def _markdown(text: str, kind: str | None = None) -> nbformat.NotebookNode:
    metadata = {"slideshow": {"slide_type": kind}} if kind else {}
    return nbformat.v4.new_markdown_cell(text, metadata=metadata)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_notebook_yields_a_deck(path):
    notebook = nbformat.read(path, as_version=4)
    assert slides.problems(notebook) == []
    kinds = [slides.slide_type(cell) for cell in notebook.cells]
    sections = {"##": sum(c.cell_type == "markdown" and c.source.startswith("## ")
                          for c in notebook.cells),
                "slide": kinds.count("slide"), "subslide": kinds.count("subslide")}
    assert sections["slide"] == sections["##"] + 1, "one slide for the title and one per '##'"
    assert sections["subslide"] >= 5, "methods need their own sub-slides"
    deck = slides.deck(notebook, path.stem)
    assert "Reveal.initialize" in deck
    assert deck.count("<section") == 2 * sections["slide"] + sections["subslide"]
    assert not REMOTE_ASSET.search(deck), "the deck must load its scripts and styles locally"
    long_cells = sum(c.cell_type == "code" and c.source.count("\n") + 1 > slides.FOLD_LINES
                     for c in notebook.cells)
    assert deck.count("<details class=\"folded-code\">") == long_cells


def test_build_writes_decks_and_the_assets_they_load(tmp_path):
    executed = {p.stem: nbformat.read(p, as_version=4) for p in NOTEBOOKS[:2]}
    executed.update({p.stem: _notebook(_markdown(f"# {p.stem[:2]} · T", "slide"))
                     for p in NOTEBOOKS[2:]})
    written = slides.build(tmp_path / "slides", executed=executed)
    assert [p.name for p in written] == [f"{stem}.slides.html" for stem in IDS]
    deck = written[0].read_text(encoding="utf-8")
    for asset in re.findall(r"(?:src|href)=\"(\.\./_static/[^\"?]+)", deck):
        assert (written[0].parent / asset).exists(), f"{asset} is not next to the deck"
    assert (tmp_path / "_static" / "revealjs" / "dist" / "reveal.js").exists()
    assert (tmp_path / "_static" / "mathjax" / "MathJax.js").exists()


def test_default_slide_types_follow_the_anatomy():
    notebook = _notebook(
        _markdown("# 00 · Title"), _markdown("## 1. Section"), _markdown("Some text."),
        nbformat.v4.new_code_cell("x = 1"), _markdown("### A step"),
        _markdown("> **Pitfall.** Careful."), _markdown("**Pros and cons**"),
        nbformat.v4.new_code_cell("# Hint: do it\n...", metadata={"tags": ["solution"]}),
        _markdown("long\n" * 40))
    assert slides.default_slide_types(notebook) == [
        "slide", "slide", "-", "-", "subslide", "subslide", "subslide", "fragment", "subslide"]


def test_a_figure_after_a_full_slide_gets_its_own():
    figure = nbformat.v4.new_code_cell("plt.plot()\nplt.show()")
    short = _notebook(_markdown("## S"), figure)
    full = _notebook(_markdown("## S\n" + "text\n" * 20), figure)
    assert slides.default_slide_types(short)[-1] == "-"
    assert slides.default_slide_types(full)[-1] == "subslide"


def test_problems_name_what_breaks_a_deck():
    assert slides.problems(_notebook(_markdown("# T", "slide"), _markdown("## S", "slide"))) == []
    found = slides.problems(_notebook(_markdown("# T", "slide"), _markdown("## S", "subslide"),
                                      _markdown("### M", "-"), _markdown("x", "bogus")))
    assert len(found) == 3
    assert "must open a slide" in found[0] and "'###'" in found[1] and "bogus" in found[2]
    assert "first cell" in slides.problems(_notebook(_markdown("text")))[0]


def test_annotate_adds_missing_metadata_and_keeps_what_is_there(tmp_path):
    source = tmp_path / "99_demo.py"
    source.write_text(
        '# %% [markdown]\n# # 99 · Demo\n\n# %% [markdown]\n# ## Section\n\n'
        '# %% [markdown] slideshow={"slide_type": "skip"}\n# ### Kept as written\n\n'
        '# %%\nx = 1\n', encoding="utf-8")
    assert slides.annotate(source) == 2
    text = source.read_text(encoding="utf-8")
    assert text.count('slideshow={"slide_type": "slide"}') == 2
    assert '"skip"' in text and "# %%\nx = 1" in text
    assert slides.annotate(source) == 0, "annotating twice changes nothing"


def test_annotate_refuses_a_source_it_cannot_map(tmp_path):
    source = tmp_path / "99_demo.py"
    source.write_text("# %% [markdown]\n# # T\n\n#%%\nx = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cells"):
        slides.annotate(source)


def _pages() -> list[build_site.Page]:
    return [build_site.Page(p.stem, title(nbformat.read(p, as_version=4)), 12.0)
            for p in NOTEBOOKS]


def test_navigation_links_neighbours_editions_deck_and_colab():
    pages = _pages()
    first = build_site.navigation(pages, 0, "instructor")
    middle = build_site.navigation(pages, 1, "student")
    last = build_site.navigation(pages, len(pages) - 1, "instructor")
    assert "←" not in first and f"href='{IDS[1]}.html'>" in first
    assert "→" not in last and f"href='{IDS[-2]}.html'>" in last
    assert f"href='{IDS[0]}.html'>" in middle and f"href='{IDS[2]}.html'>" in middle
    assert f"href='../instructor/{IDS[1]}.html'" in middle
    assert f"href='{IDS[1]}.ipynb'" in middle, "the student page offers the student notebook"
    assert f"href='../notebooks/{IDS[0]}.ipynb'" in first
    assert f"../slides/{IDS[0]}.slides.html" in first and "colab.research.google.com" in first


def test_links_between_notebooks_point_at_the_pages():
    body = ('<a href="05_gradient_methods.ipynb">05</a> <a href="04_shap.ipynb#sec">04</a> '
            '<a href="https://x.org/a.ipynb">other</a>')
    assert link_pages(body, ".html") == (
        '<a href="05_gradient_methods.html">05</a> <a href="04_shap.html#sec">04</a> '
        '<a href="https://x.org/a.ipynb">other</a>')


def test_pages_of_both_editions(tmp_path):
    pages = _pages()[:2]
    executed = {p.stem: nbformat.read(NOTEBOOKS[i], as_version=4) for i, p in enumerate(pages)}
    build_site.write_pages(executed, pages, tmp_path)
    solution = next(c.source for c in executed[IDS[0]].cells
                    if "solution" in c.metadata.get("tags", []) and c.cell_type == "code")
    marker = solution.splitlines()[-1].strip()
    for edition in build_site.EDITIONS:
        page = (tmp_path / edition / f"{IDS[0]}.html").read_text(encoding="utf-8")
        assert page.count("class=\"course-nav") == 2, "navigation at the top and the bottom"
        assert not REMOTE_ASSET.search(page), "pages load their scripts and styles locally"
        assert "../_static/mathjax/MathJax.js" in page
    instructor = (tmp_path / "instructor" / f"{IDS[0]}.html").read_text(encoding="utf-8")
    student = (tmp_path / "student" / f"{IDS[0]}.html").read_text(encoding="utf-8")
    assert "Your code here" in student and "Your code here" not in instructor
    assert len(student) < len(instructor), f"the solutions (e.g. {marker!r}) are left out"


def test_index_lists_every_notebook_in_both_editions_and_the_card():
    page = build_site.index_page(_pages(), "<table id='card'></table>")
    for stem in IDS:
        for link in (f"instructor/{stem}.html", f"student/{stem}.html",
                     f"slides/{stem}.slides.html", f"notebooks/{stem}.ipynb",
                     f"student/{stem}.ipynb"):
            assert f"href='{link}'" in page, link
    assert "<table id='card'>" in page and "12 s" in page
    assert not REMOTE_ASSET.search(page)
