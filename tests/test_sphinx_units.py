"""The Sphinx backend's parts that need no searchd: URLs, tokens, lengths, the MATCH and
filter translation, the cluster configuration. (tests/test_sphinx_backend.py runs real
nodes.)"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from whoosh.util.numeric import byte_to_length, length_to_byte

from bahth.analyzers import AnalysisConfig, word_analysis
from bahth.cli import main
from bahth.index import nodes
from bahth.index.errors import BahthError, IndexMissing
from bahth.index.fields import document_values
from bahth.index.planner import Write
from bahth.index.settings import Settings
from bahth.index.sources import Document
from bahth.index.sphinx.cluster import Cluster, init_cluster
from bahth.index.sphinx.nodes import ClusterUrl, is_backend_url
from bahth.index.sphinx.query import NothingMatches, condition, plan
from bahth.index.sphinx.schema import (
    CHARSET_TABLE,
    FIELD_TAGS,
    MAX_TOKEN,
    document_row,
    encode,
    shard_of,
    token,
)
from bahth.index.sphinx.selection import quantized
from bahth.index.whoosh.store import IndexStore
from tests.conftest import SEEDS, generated_news

WORDS = word_analysis(AnalysisConfig())


# ---- URLs ---------------------------------------------------------------------------------


def test_a_url_names_nodes_in_order_a_table_and_options() -> None:
    url = ClusterUrl.parse("sphinx://127.0.0.1:9306,db2.example:9316/news?candidates=200")
    assert [(n.number, n.host, n.port) for n in url.nodes] == [
        (1, "127.0.0.1", 9306),
        (2, "db2.example", 9316),
    ]
    assert (url.table, url.candidates) == ("news", 200)
    assert ClusterUrl.parse(str(url)) == url
    assert url.nodes[1].label == "node 2 (db2.example:9316)"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sphinx://127.0.0.1:9306", "names no table"),
        ("sphinx:///t", "names no node"),
        ("sphinx://127.0.0.1/t", "is not HOST:PORT"),
        ("sphinx://h:99999/t", "is not HOST:PORT"),
        ("sphinx://h:1/bad-name", "names no table"),
        ("sphinx://h:1/t?k=1", "unknown option"),
        ("sphinx://h:1/t?candidates=x", "whole number"),
        ("sphinx://h:1/t?candidates=5", "from 10"),
        ("http://h:1/t", "not a backend URL"),
    ],
)
def test_a_malformed_url_is_one_clear_error(url: str, says: str) -> None:
    with pytest.raises(BahthError, match=says):
        ClusterUrl.parse(url)


def test_only_a_backend_url_is_taken_for_one() -> None:
    assert is_backend_url("sphinx://h:1/t") and is_backend_url("manticore://h:1/t")
    assert not is_backend_url("instance/index") and not is_backend_url(None)
    assert not is_backend_url("sphinx/index")


@pytest.mark.parametrize("command", [["search", "x"], ["stats"], ["index", "seeds"]])
def test_a_backend_option_that_is_no_url_is_a_usage_error(command: list[str]) -> None:
    """Not read as a folder called 'sphinx:/bad' (which would say there is no index there)."""
    result = CliRunner().invoke(main, [*command, "--backend", "sphinx:/bad"])
    assert result.exit_code == 2, result.output
    assert "is not a backend URL: use sphinx://HOST:PORT" in result.output
    assert "Traceback" not in result.output


def test_the_no_index_message_names_the_right_option() -> None:
    assert "--backend sphinx://h:1/t" in str(IndexMissing("sphinx://h:1/t"))
    assert "--index /tmp/x" in str(IndexMissing("/tmp/x"))


# ---- tokens -------------------------------------------------------------------------------


def _allowed() -> set[str]:
    """Every character CHARSET_TABLE lets into a token."""
    allowed = set()
    for part in CHARSET_TABLE.split(","):
        part = part.strip()
        if ".." in part:
            lo, hi = part.split("..")
            lo = chr(int(lo[2:], 16)) if lo.startswith("U+") else lo
            hi = chr(int(hi[2:], 16)) if hi.startswith("U+") else hi
            allowed.update(chr(c) for c in range(ord(lo), ord(hi) + 1))
        else:
            allowed.add(part)
    return allowed


@given(st.text(min_size=1, max_size=60))
def test_every_term_is_one_token_of_the_engines_alphabet(term: str) -> None:
    tok = token("text", term)
    assert set(tok) <= _allowed()
    assert len(tok) <= MAX_TOKEN + 1  # the engine keeps 42 characters


@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=60))
def test_different_terms_make_different_tokens(a: str, b: str) -> None:
    if a != b:
        assert encode(a) != encode(b)


def test_field_tags_keep_a_terms_statistics_per_field() -> None:
    assert len({token(field, "مغرب") for field in FIELD_TAGS}) == len(FIELD_TAGS)
    assert token("text", "مغرب") == "xمغرب"  # Arabic stays readable in the engine
    assert encode("3.5") == "3_2e_5" and encode("café") == "caf_e9_"
    long_one, long_two = "ب" * 45, "ب" * 44 + "ت"
    assert encode(long_one) != encode(long_two)
    assert len(token("text", long_one)) == MAX_TOKEN + 1


def test_shards_spread_documents_and_never_move_them() -> None:
    counts = np.bincount([shard_of(f"doc-{n}", 4) for n in range(4000)], minlength=4)
    assert counts.min() > 850
    assert [shard_of("a", 4) for _ in range(3)] == [shard_of("a", 4)] * 3


def test_lengths_and_tokens_are_what_the_whoosh_index_holds(tmp_path) -> None:
    """Each field's length is Whoosh's, and its tokens are the index's terms, one for one."""
    store = IndexStore(tmp_path / "ix")
    docs = [Document.from_dict(d) for d in generated_news(6)] + _seed_documents()
    store.add_documents(docs)
    with store.open_index().searcher() as searcher:
        reader = searcher.reader()
        ids = reader.column_reader("id")
        docnum_of = {ids[n]: n for n in range(searcher.doc_count_all())}
        for field in FIELD_TAGS:
            terms_of: dict[int, set[str]] = {}
            for term in reader.lexicon(field):
                for n in reader.postings(field, term).all_ids():
                    terms_of.setdefault(n, set()).add(token(field, term.decode("utf-8")))
            for doc in docs:
                step = Write(doc, document_values(doc, Settings()), doc.content_hash(), False)
                row, n = document_row(step, WORDS), docnum_of[doc.id]
                length = row.columns[f"len_{field}"]
                assert byte_to_length(length_to_byte(length)) == searcher.doc_field_length(
                    n, field
                ), (doc.id, field)
                tokens = set(row.columns[field].split()) - {FIELD_TAGS[field] + "_"}
                assert tokens == terms_of.get(n, set()), (doc.id, field)


def _seed_documents():
    from bahth.index.sources import read_sources

    return [d for d in read_sources([SEEDS]) if isinstance(d, Document)]


def test_quantized_lengths_are_whooshs() -> None:
    lengths = np.array([0, 1, 2, 7, 63, 64, 65, 250, 1000, 5000, 106373, 106374, 200000])
    expected = [byte_to_length(length_to_byte(int(n))) for n in lengths]
    assert quantized(lengths.astype(np.float64)).tolist() == expected


# ---- MATCH and filters ----------------------------------------------------------------------


def test_query_trees_become_match_expressions() -> None:
    a, b, c = (nodes.Term("text", w) for w in ("مغرب", "رباط", "سلا"))
    proximity = nodes.Phrase("text_exact", ("الامن", "الوطني"), slop=3)
    quoted = nodes.Phrase("text_exact", ("الي", "الرباط"))
    assert plan(nodes.Or((a, b, proximity))).match == "(xمغرب | xرباط)"  # a bonus never matches
    assert plan(nodes.And((a, nodes.Or((b, c))))).match == "(xمغرب (xرباط | xسلا))"
    assert plan(nodes.AndNot(a, nodes.Or((b, c)))).match == "(xمغرب -((xرباط | xسلا)))"
    assert plan(nodes.AndMaybe(a, b)).match == "xمغرب"
    maybe = plan(nodes.AndMaybe(a, b))
    assert maybe.tokens == ["xمغرب", "xرباط"] and not maybe.direct  # b scores: asked apart
    assert plan(quoted).match == '"yالي yالرباط"' and not plan(quoted).direct
    assert plan(nodes.Or((a, b))).direct  # the MATCH's own frequencies serve
    assert plan(nodes.Every()).match == ""
    assert plan(nodes.Or((nodes.NOTHING, a))).match == "xمغرب"
    with pytest.raises(NothingMatches):
        plan(nodes.And((a, nodes.NOTHING)))


def test_conditions_become_one_expression_over_the_declared_values() -> None:
    keep = condition(nodes.AllOf((nodes.Is("source", "le360"), nodes.Is("year", "2020"))))
    assert keep == "(IN(attrs.kw.source, 'le360') AND IN(attrs.kw.year, '2020'))"
    span = condition(nodes.Between("date", 1577836800.0, None))
    assert span == "(attrs.key.date IS NOT NULL AND DOUBLE(attrs.key.date)>=1577836800.0)"
    assert " OR " in condition(nodes.AnyOf((nodes.Is("source", "a"), nodes.Is("source", "b"))))
    assert condition(nodes.Is("source", "it's")) == "IN(attrs.kw.source, 'it\\'s')"


# ---- cluster configuration ------------------------------------------------------------------


def test_init_writes_one_configuration_per_node_with_every_shard_reachable(tmp_path) -> None:
    cluster = init_cluster(tmp_path / "c", nodes=3, shards=5, port_base=40100)
    assert Cluster.load(tmp_path / "c") == cluster
    assert cluster.url == ("sphinx://127.0.0.1:40100,127.0.0.1:40102,127.0.0.1:40104/bahth")
    for spec in cluster.nodes:
        text = spec.config.read_text()
        assert f"listen = 127.0.0.1:{spec.port}:mysql41" in text
        for slot in "ab":
            block = text.split(f"index bahth_{slot}\n{{")[1].split("}")[0]
            named = block.replace(",", " ").replace(":", " ").split()
            assert sorted(k for k in range(5) if f"bahth_{slot}_{k}" in named) == list(range(5))
        assert all(line.strip() == "}" for line in text.splitlines() if "}" in line)


def test_init_for_real_hosts_and_its_refusals(tmp_path) -> None:
    cluster = init_cluster(tmp_path / "r", hosts=["10.0.0.5:9306", "10.0.0.6:9306"])
    text = cluster.nodes[1].config.read_text()
    assert "agent = 10.0.0.5:9307:bahth_a_0" in text and "/var/lib/bahth/bahth" in text
    with pytest.raises(BahthError, match="not an empty folder"):
        init_cluster(tmp_path / "r", nodes=2)
    with pytest.raises(BahthError, match="--shards"):
        init_cluster(tmp_path / "s", nodes=3, shards=2)
    with pytest.raises(BahthError, match="not a cluster folder"):
        Cluster.load(tmp_path / "nothing")
