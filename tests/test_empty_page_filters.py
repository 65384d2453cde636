"""The page for a search that finds nothing under a filter offers the search without it,
naming the filters given by their labels (a declared field's label, not "source or year")."""

from __future__ import annotations

import json

import pytest

from bahth.index.settings import Settings
from bahth.search.engine import SearchEngine
from bahth.web import create_app

SETTINGS = """
[fields.section]
type = "keyword"
facet = true
label = "القسم"
[fields.author]
type = "keyword"
[fields.published]
type = "date"
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("labels")
    (root / "s.toml").write_text(SETTINGS, encoding="utf-8")
    doc = {"id": "a", "title": "الحكومة", "text": "نص", "section": "sport", "author": "سعيد"}
    (root / "n.jsonl").write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    engine = SearchEngine(root / "ix", settings=Settings.load(root / "s.toml"))
    assert engine.index_paths([root / "n.jsonl"]).added == 1
    return create_app({"BAHTH_INDEX": str(root / "ix")}).test_client()


# (the filters of a search that finds nothing; how the page names them)
FILTERS = [
    pytest.param("section=politics", "(القسم)", id="a-field-with-a-label"),
    pytest.param("author=x", "(author)", id="a-field-without-one-by-its-name"),
    pytest.param("section=politics&author=x", "(القسم، author)", id="two-filters"),
    pytest.param("published=2001", "(published)", id="a-date-range"),
]


@pytest.mark.parametrize("filters, named", FILTERS)
def test_the_empty_page_names_the_filters_it_offers_to_drop(client, filters, named) -> None:
    body = client.get(f"/search?q=الحكومة&{filters}").get_data(as_text=True)
    assert "لم نجد نتائج" in body
    assert f"ابحث دون تضييق {named}" in body
    assert "المصدر أو السنة" not in body
