"""`bahth analyze` as a user runs it: a real subprocess, real output."""

import json
import subprocess
import sys

import pytest

BAHTH = [sys.executable, "-m", "bahth"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*BAHTH, *args], capture_output=True, text=True, timeout=60)


def analyze_json(text: str, *options: str) -> list[dict]:
    result = run("analyze", "--json", *options, text)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_surface_is_the_exact_slice() -> None:
    text = "وَصَفَ متتبعون “FBi” بِتمارة ١٣"
    rows = analyze_json(text)
    assert rows, "expected tokens"
    for row in rows:
        assert set(row) == {"term", "surface", "start", "end"}
        assert text[row["start"] : row["end"]] == row["surface"]


@pytest.mark.parametrize(
    ("variants", "term"),
    [
        pytest.param(
            ["والمغرب", "بالمغرب", "للمغرب", "المغربية", "المغربي"], "مغرب", id="clitics-and-nisba"
        ),
        pytest.param(["أحمد", "أَحْمَد", "احـــمد", "ﺃﺣﻤﺪ"], "احمد", id="hamza-harakat-tatweel-forms"),
        pytest.param(["مدرسة", "مدرسه"], "مدرس", id="teh-marbuta-heh"),
        pytest.param(["١٣", "13", "۱۳"], "13", id="digits"),
        pytest.param(["کتاب", "كتاب"], "كتاب", id="persian-letters"),
        pytest.param(["FBI", "fbi", "Fbi"], "fbi", id="latin-case"),
    ],
)
def test_variants_give_one_term(variants: list[str], term: str | None) -> None:
    terms = {tuple(row["term"] for row in analyze_json(v)) for v in variants}
    assert len(terms) == 1, terms
    (found,) = terms
    assert len(found) == 1 and found[0], "each variant is one word, with a term"
    assert term is None or found == (term,)


@pytest.mark.parametrize(("one", "other"), [("كتاب", "كاتب"), ("عالم", "علم")])
def test_different_words_stay_apart(one: str, other: str) -> None:
    assert analyze_json(one) != analyze_json(other)


@pytest.mark.parametrize(
    "text",
    ["", "ًٌٍَُِّْ", "\x01\x02\x1b[31m\x7f", "😀🙂👍🏽", "ب" * 5000, "\ud7ff\ufffd"],
    ids=[
        "empty",
        "only-diacritics",
        "control-characters",
        "emoji",
        "5000-letters",
        "odd-code-points",
    ],
)
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "table"])
def test_bad_input_never_tracebacks(text: str, as_json: bool) -> None:
    result = run("analyze", *(["--json"] if as_json else []), "--", text)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    if as_json:
        assert isinstance(json.loads(result.stdout), list)


def test_table_output_names_each_term() -> None:
    result = run("analyze", "والمغرب")
    assert result.returncode == 0
    assert "مغرب" in result.stdout and "والمغرب" in result.stdout


def test_unknown_stemmer_is_a_usage_error() -> None:
    result = run("analyze", "--stem", "porter", "نص")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
