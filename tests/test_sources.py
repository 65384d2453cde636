"""Reading documents from files: formats, the seeds' format, and bad input named, not raised."""

import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest

from bahth.index.errors import SourceError
from bahth.index.sources import Document, Failure, parse_date, read_sources

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def read(*paths) -> tuple[list[Document], list[Failure]]:
    items = list(read_sources(paths))
    return (
        [i for i in items if isinstance(i, Document)],
        [i for i in items if isinstance(i, Failure)],
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2015-07-21 02:51:32", datetime(2015, 7, 21, 2, 51, 32), id="saudinewsnet"),
        pytest.param("2015-07-21", datetime(2015, 7, 21), id="date-only"),
        pytest.param("2015-07-21T10:00:00", datetime(2015, 7, 21, 10), id="iso-T"),
        pytest.param("2015-07-21T10:00:00Z", datetime(2015, 7, 21, 10), id="utc-Z"),
        pytest.param("2015-07-21T13:00:00+03:00", datetime(2015, 7, 21, 10), id="offset-to-utc"),
        pytest.param("2015/07/21", datetime(2015, 7, 21), id="slashes"),
        pytest.param("2015", datetime(2015, 1, 1), id="year-only"),
        pytest.param("  2015-07-21  ", datetime(2015, 7, 21), id="spaces"),
        pytest.param("yesterday", None, id="unreadable-dropped"),
        pytest.param("2015-13-45", None, id="impossible-dropped"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="missing"),
        pytest.param(20150721, None, id="a-number-is-not-a-date"),
        pytest.param("0001-01-01T00:00:00+05:00", None, id="before-year-1-in-utc-dropped"),
        pytest.param("9999-12-31T23:59:59-05:00", None, id="after-year-9999-in-utc-dropped"),
        pytest.param("0001-01-01T00:00:00", datetime(1, 1, 1), id="year-1-kept"),
        pytest.param("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59), id="year-9999"),
    ],
)
def test_parse_date(value, expected) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("record", "error"),
    [
        pytest.param({"title": "عنوان", "text": "نص"}, "no id", id="no-id"),
        pytest.param({"id": "  ", "text": "نص"}, "no id", id="blank-id"),
        pytest.param({"id": True, "text": "نص"}, "neither text nor a whole", id="boolean-id"),
        pytest.param({"id": ["a"], "text": "نص"}, "neither text nor a whole", id="list-id"),
        pytest.param({"id": "a"}, "no title and no text", id="nothing-to-index"),
        pytest.param({"id": "a", "title": " ", "text": "\n"}, "no title and no text", id="blank"),
        pytest.param({"id": "a", "text": ["نص"]}, "text is not text", id="text-list"),
        pytest.param(["a", "b"], "not a JSON object", id="not-an-object"),
        pytest.param({"id": ".", "text": "نص"}, "no link can carry it", id="dot-id"),
        pytest.param({"id": "..", "text": "نص"}, "no link can carry it", id="dot-dot-id"),
        pytest.param({"id": " .. ", "text": "نص"}, "no link can carry it", id="dot-dot-spaced"),
    ],
)
def test_from_dict_rejects(record, error) -> None:
    with pytest.raises(ValueError, match=error):
        Document.from_dict(record)


@pytest.mark.parametrize(
    "doc_id",
    [
        pytest.param("a/b/../c", id="dot-segments-inside"),
        pytest.param("../../etc/passwd", id="path-climbing"),
        pytest.param("x\ny", id="newline"),
        pytest.param("//x.example", id="network-path"),
        pytest.param("...", id="three-dots"),
        pytest.param("./a", id="dot-slash"),
    ],
)
def test_ids_a_link_can_carry_are_kept(doc_id) -> None:
    assert Document.from_dict({"id": doc_id, "text": "نص"}).id == doc_id


def test_from_dict_reads_its_fields_and_keeps_every_other_key_as_given() -> None:
    doc = Document.from_dict(
        {
            "id": 7,
            "title": " عنوان ",
            "text": "نص الخبر",
            "source": "sabq",
            "date": "2015-07-21 10:00:00",
            "url": "http://x/1",
            "author": "kept",
        },
        origin="/data/a.jsonl",
    )
    given = {"source": "sabq", "date": "2015-07-21 10:00:00", "url": "http://x/1", "author": "kept"}
    assert doc == Document(
        "7",
        "عنوان",
        "نص الخبر",
        "sabq",
        datetime(2015, 7, 21, 10),
        "http://x/1",
        "/data/a.jsonl",
        fields=given,
    )
    title_only = Document.from_dict({"id": "t", "title": "عنوان فقط"})
    assert (title_only.title, title_only.text) == ("عنوان فقط", "")


BASE = Document("a", "عنوان", "نص", "sabq", datetime(2015, 7, 21), "http://x", "/a.txt")


@pytest.mark.parametrize(
    ("changed", "same"),
    [
        pytest.param({"title": "عنوان آخر"}, False, id="title"),
        pytest.param({"text": "نص آخر"}, False, id="text"),
        pytest.param({"source": "okaz"}, False, id="source"),
        pytest.param({"date": datetime(2015, 7, 22)}, False, id="date"),
        pytest.param({"url": "http://y"}, False, id="url"),
        pytest.param({"title": "عنوانن", "text": "ص"}, False, id="boundary-between-fields"),
        pytest.param({"origin": "/b.txt"}, True, id="origin-is-not-content"),
        pytest.param({}, True, id="unchanged"),
    ],
)
def test_content_hash(changed, same) -> None:
    from dataclasses import replace

    assert (replace(BASE, **changed).content_hash() == BASE.content_hash()) is same


def test_seeds_read_as_documents() -> None:
    docs, failures = read(SEEDS)
    assert failures == []
    assert [d.id for d in docs] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    for doc in docs:
        content = (SEEDS / f"{doc.id}.txt").read_text(encoding="utf-8")
        first_line = next(line.strip() for line in content.splitlines() if line.strip())
        assert doc.title == first_line
        assert doc.text and doc.text == content.split(first_line, 1)[1].strip()
        assert doc.origin == str((SEEDS / f"{doc.id}.txt").resolve())


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_txt_title_is_first_non_empty_line(tmp_path: Path) -> None:
    write(tmp_path / "خبر-1.txt", "\n\n  العنوان هنا  \n\nالسطر الأول\nالسطر الثاني\n")
    (doc,), _ = read(tmp_path / "خبر-1.txt")
    assert (doc.id, doc.title, doc.text) == ("خبر-1", "العنوان هنا", "السطر الأول\nالسطر الثاني")


@pytest.mark.parametrize(
    ("name", "data", "where", "reason"),
    [
        pytest.param("empty.txt", "", "empty.txt", "empty file", id="empty-txt"),
        pytest.param("blank.txt", " \n\n", "blank.txt", "empty file", id="blank-txt"),
        pytest.param(
            "latin1.txt", "café".encode("latin-1"), "latin1.txt", "not UTF-8", id="not-utf8"
        ),
        pytest.param("empty.jsonl", "", "empty.jsonl", "empty file", id="empty-jsonl"),
        pytest.param(
            "bad.jsonl",
            '{"id": "1", "text": "نص"}\n{not json\n',
            "bad.jsonl:2",
            "not JSON",
            id="jsonl-bad-line",
        ),
        pytest.param(
            "noid.jsonl", '{"title": "عنوان"}\n', "noid.jsonl:1", "no id", id="jsonl-no-id"
        ),
        pytest.param(
            "notext.jsonl", '\n\n{"id": "x"}\n', "notext.jsonl:3", "no title", id="jsonl-no-text"
        ),
        pytest.param(
            "array.jsonl", "[1, 2]\n", "array.jsonl:1", "not a JSON object", id="jsonl-array"
        ),
        pytest.param(
            "decimal.jsonl",
            '{"id": 1.5, "text": "نص"}\n',
            "decimal.jsonl:1",
            'id 1.5 is a decimal number: an id is text or a whole number; write it as text ("1.5")',
            id="jsonl-decimal-id-names-the-rule",
        ),
        pytest.param(
            "twice.jsonl",
            '{"id": "1", "text": "نص", "id": "2"}\n',
            "twice.jsonl:1",
            "the key 'id' is given twice in one object",
            id="jsonl-a-key-given-twice-is-named-not-the-last-kept",
        ),
        pytest.param(
            "nested.jsonl",
            '{"id": "1", "text": "نص", "meta": {"a": 1, "a": 2}}\n',
            "nested.jsonl:1",
            "the key 'a' is given twice",
            id="jsonl-a-key-given-twice-in-a-field-too",
        ),
        pytest.param(
            "bytes.jsonl",
            b'{"id": "1", "text": "\xff"}\n',
            "bytes.jsonl:1",
            "not UTF-8",
            id="jsonl-not-utf8",
        ),
        pytest.param("empty.csv", "", "empty.csv", "empty file", id="empty-csv"),
        pytest.param("noid.csv", "title,text\nا,ب\n", "noid.csv", "no 'id' column", id="csv-no-id"),
        pytest.param("rows.csv", "id,title,text\n", "rows.csv", "no rows", id="csv-header-only"),
        pytest.param(
            "extra.csv", "id,title,text\n1,ا,ب,ج\n", "extra.csv:2", "more cells", id="csv-extra"
        ),
        pytest.param(
            "blank.csv", "id,title,text\n2,,\n", "blank.csv:2", "no title", id="csv-no-text"
        ),
        pytest.param(
            "quote.csv", 'id,title,text\n1,"ا,ب\n', "quote.csv:2", "never closed", id="csv-quote"
        ),
        pytest.param(
            "ids.csv", "id,title,text,id\n1,ا,ب,2\n", "ids.csv", "'id' 2 times", id="csv-two-ids"
        ),
        pytest.param(
            "texts.csv",
            "id,text,title,text\n1,ا,ب,ج\n",
            "texts.csv",
            "column 'text' 2 times",
            id="csv-two-text-columns",
        ),
        pytest.param(
            "fields.csv",
            "id,title,text,section,section\n1,ا,ب,ج,د\n",
            "fields.csv",
            "column 'section' 2 times",
            id="csv-a-field-twice-loses-a-cell",
        ),
    ],
)
def test_bad_input_is_a_named_failure(tmp_path, name, data, where, reason) -> None:
    path = write(tmp_path / name, data)
    _, failures = read(path)
    assert len(failures) == 1
    assert failures[0].where == str(tmp_path / where)
    assert reason in failures[0].reason


@pytest.mark.parametrize(
    ("rows", "ids", "where", "reason"),
    [
        # a quote never closed took every row after it into one cell, without a word
        pytest.param(
            '1,ا,ب\n2,ا,"ب\n3,ا,ب\n4,ا,ب\n',
            ["1"],
            "c.csv:3",
            "a quote opened on this line is never closed, so the rest of the file (lines 3 to 5)",
            id="unclosed-quote",
        ),
        pytest.param(
            '1,ا,ب\n2,ا,"ب\n3,ا,"ب"\n4,ا,ب\n',
            ["1", "4"],
            "c.csv:4",  # a record's last line, as CSV failures are named
            "not valid CSV",  # the quote closes on line 4, before ب: named, not merged
            id="quote-closed-later",
        ),
        pytest.param(
            '1,"ا"ب,ج\n2,ا,ب\n', ["2"], "c.csv:2", "not valid CSV", id="text-after-a-quote"
        ),
    ],
)
def test_a_broken_csv_quote_is_named_and_the_other_rows_read(
    tmp_path, rows, ids, where, reason
) -> None:
    path = write(tmp_path / "c.csv", "id,title,text\n" + rows)
    docs, failures = read(path)
    assert [d.id for d in docs] == ids
    assert [f.where for f in failures] == [str(tmp_path / where)]
    assert reason in failures[0].reason


def test_jsonl_gz_and_csv(tmp_path: Path) -> None:
    rows = [
        {"id": f"d{n}", "title": f"عنوان {n}", "text": "نص", "date": "2015-07-21"} for n in range(3)
    ]
    with gzip.open(tmp_path / "a.jsonl.gz", "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    write(
        tmp_path / "b.csv",
        'id,title,text,source\nc1,عنوان,"سطر أول\nسطر ثان، مع فاصلة",sabq\n',
    )
    docs, failures = read(tmp_path / "a.jsonl.gz", tmp_path / "b.csv")
    assert failures == []
    assert [d.id for d in docs] == ["d0", "d1", "d2", "c1"]
    assert docs[0].date == datetime(2015, 7, 21)
    assert docs[3].text == "سطر أول\nسطر ثان، مع فاصلة" and docs[3].source == "sabq"


def test_broken_gzip_keeps_what_came_before(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(b'{"id": "%d", "text": "x"}\n' % n for n in range(2000)))
    write(tmp_path / "cut.jsonl.gz", data[: len(data) // 2])
    docs, failures = read(tmp_path / "cut.jsonl.gz")
    assert 0 < len(docs) < 2000
    assert len(failures) == 1 and "gzip" in failures[0].reason


def test_folders_are_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b" / "z.txt", "عنوان\nنص")
    write(tmp_path / "b" / "a.txt", "عنوان\nنص")
    write(tmp_path / "a.jsonl", '{"id": "j", "text": "نص"}\n')
    write(tmp_path / "c" / "deep" / "x.txt", "عنوان\nنص")
    write(tmp_path / ".hidden" / "h.txt", "عنوان\nنص")
    write(tmp_path / ".h.txt", "عنوان\nنص")
    write(tmp_path / "notes.md", "# not a document")
    docs, failures = read(tmp_path)
    assert failures == []
    assert [d.id for d in docs] == ["j", "a", "z", "x"]


def test_a_link_back_up_the_tree_is_named_and_the_rest_read(tmp_path: Path) -> None:
    write(tmp_path / "top" / "sub" / "a.txt", "عنوان\nنص")
    write(tmp_path / "top" / "b.txt", "عنوان\nنص")
    (tmp_path / "top" / "sub" / "up").symlink_to("..")  # sub/up/sub/up/... for ever
    (tmp_path / "top" / "self").symlink_to(".")
    docs, failures = read(tmp_path / "top")
    assert [d.id for d in docs] == ["b", "a"]
    assert sorted(f.where for f in failures) == [
        str(tmp_path / "top" / "self"),
        str(tmp_path / "top" / "sub" / "up"),
    ]
    assert all("a link back to a folder above it" in f.reason for f in failures)


def test_a_txt_file_named_dot_dot_is_named(tmp_path: Path) -> None:
    write(tmp_path / "...txt", "عنوان\nنص")  # its id would be ".."
    _, failures = read(tmp_path / "...txt")
    assert [(f.where, "no link can carry it" in f.reason) for f in failures] == [
        (str(tmp_path / "...txt"), True)
    ]


def test_records_know_their_line(tmp_path: Path) -> None:
    write(tmp_path / "a.jsonl", '\n{"id": "j", "text": "نص"}\n')
    write(tmp_path / "b.csv", 'id,title,text\nc1,"عنوان\nطويل",نص\nc2,عنوان,نص\n')
    write(tmp_path / "t.txt", "عنوان\nنص")
    docs, _ = read(tmp_path / "a.jsonl", tmp_path / "b.csv", tmp_path / "t.txt")
    assert [d.where for d in docs] == [
        f"{tmp_path / 'a.jsonl'}:2",
        f"{tmp_path / 'b.csv'}:3",  # the record's last line, as a CSV failure names it
        f"{tmp_path / 'b.csv'}:4",
        str(tmp_path / "t.txt"),
    ]


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "عنوان\nنص")
    docs, _ = read(tmp_path, tmp_path / "a.txt")
    assert [d.id for d in docs] == ["a"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("missing.txt", "no such file or folder", id="missing"),
        pytest.param("doc.pdf", "bahth reads", id="unknown-type"),
    ],
)
def test_usage_errors_raise_before_reading(tmp_path, name, message) -> None:
    if name.endswith(".pdf"):
        write(tmp_path / name, "%PDF")
    write(tmp_path / "good.txt", "عنوان\nنص")
    with pytest.raises(SourceError, match=message):
        read_sources([tmp_path / "good.txt", tmp_path / name])
