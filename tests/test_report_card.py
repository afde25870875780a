"""The report card's CSV becomes the README's Markdown table and the index page's HTML table."""

from __future__ import annotations

import pytest

from tools import report_card

CARD = "method,randomized logits ρ,deletion AUC\ngradient,0.3281,0.084\nrandom map,0.002,\n"


@pytest.fixture
def card(tmp_path):
    path = tmp_path / "report_card.csv"
    path.write_text(CARD, encoding="utf-8")
    return path


def test_markdown_has_one_row_per_method(card):
    table = report_card.markdown(card).splitlines()
    assert table[0] == "| method | randomized logits ρ | deletion AUC |"
    assert table[2] == "| gradient | 0.33 | 0.08 |"
    assert table[3] == "| random map | 0.00 | — |", "an empty cell shows as a dash"


def test_html_table_escapes_and_rounds(card):
    table = report_card.html_table(card)
    assert table.count("<tr>") == 3 and "<td>0.33</td>" in table


def test_update_readme_replaces_only_the_block(card, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- report-card:start -->\nold\n<!-- report-card:end -->\nrest\n",
                      encoding="utf-8")
    assert report_card.update_readme(card, readme) == ["| gradient | 0.33 | 0.08 |",
                                                       "| random map | 0.00 | — |"]
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith("rest\n") and "old" not in text
    assert "| gradient | 0.33 | 0.08 |" in text
    assert report_card.update_readme(card, readme) == [], "a second refresh changes nothing"


def test_missing_csv_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="notebook 07"):
        report_card.markdown(tmp_path / "absent.csv")


def test_csv_without_method_column_is_rejected(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,score\na,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a report card"):
        report_card.markdown(path)


def test_readme_without_markers_is_rejected(card, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no block here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs exactly one <!-- report-card:start -->"):
        report_card.update_readme(card, readme)


def test_the_readme_has_a_report_card():
    text = report_card.README.read_text(encoding="utf-8")
    block = text.split("<!-- report-card:start -->")[1].split("<!-- report-card:end -->")[0]
    assert block.strip().startswith("| method |"), "the README shows the report card table"
