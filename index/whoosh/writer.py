"""Faster indexing on Whoosh's own file format: per-word analysis, known lengths, two cores.

Whoosh's writer runs each field's analyzer token by token through a chain of generators
(tokenizer, normalize, stop words, stem) and bahth indexes title and text twice (stemmed and
exact): four passes over every token. ``FastSegmentWriter`` instead

* splits each value into words once for both of its fields;
* asks the index's ``WordAnalysis`` (analyzers/words.py) what each word becomes: each distinct
  word is analyzed once, by the very chains in the schema, and cached, so most tokens cost a
  dictionary lookup. The first documents are checked against the chains; a field whose
  analyzer is not one of the two chains, or a failed check, goes Whoosh's own way;
* hands the segment's field lengths, which it already knows, to the posting writer, instead
  of letting Whoosh read them back from disk once per posting;
* keeps what title's and text's words became as their stem lists (analyzers/stem_lists.py),
  which the second stage reads instead of the texts.

``ParallelAdder`` runs such writers in worker processes, one segment each (Whoosh's
multi-segment layout), so a long run uses every core; workers die with their parent.
"""

from __future__ import annotations

import logging
from array import array
from collections import defaultdict
from functools import lru_cache
from pickle import dumps

from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from bahth.analyzers import AnalysisConfig, WordAnalysis, WordTerms, stem_lists, word_analysis
from bahth.index.whoosh.schema import STEM_LISTS

log = logging.getLogger("bahth.index")

SELF_CHECKED_DOCUMENTS = 10  # documents checked against the analyzer chains per writer


class FieldPlan:
    """How to index one TEXT field word by word: which of a word's terms it takes (its stems
    or its exact form) and how it encodes them."""

    def __init__(self, field, exact: bool) -> None:
        self.exact = exact
        self.positions = type(field.format) is Positions
        self.boost = field.format.field_boost
        self.encode = field.format.encode if self.positions else None

    def items(self, terms: list[WordTerms]) -> list[tuple[bytes, int, float, bytes]]:
        """(term bytes, frequency, weight, encoded value) per term, as Field.index gives, for
        a value whose words, in order, became ``terms``."""
        boost = self.boost
        if self.exact:
            per_word = [(word.exact,) if word.exact else () for word in terms]
        else:
            per_word = [word.stems for word in terms]
        if self.positions:
            poses: dict[str, list[int]] = defaultdict(list)
            for pos, word_terms in enumerate(per_word):
                for term in word_terms:
                    poses[term].append(pos)
            encode = self.encode
            return [
                (
                    term.encode("utf-8"),
                    len(p),
                    len(p) * boost,
                    _one_position(p[0]) if len(p) == 1 else encode(p),
                )
                for term, p in poses.items()
            ]
        freqs: dict[str, int] = defaultdict(int)
        for word_terms in per_word:
            for term in word_terms:
                freqs[term] += 1
        return [
            (term.encode("utf-8"), freq, freq * boost, _packed(freq))
            for term, freq in freqs.items()
        ]


_FREQUENCIES = [pack_uint(n) for n in range(1024)]


@lru_cache(maxsize=65_536)
def _one_position(position: int) -> bytes:
    """Positions.encode([position]): most postings are a word's one occurrence in a text, and
    the encoding (a pickle) depends on the position only."""
    return pack_uint(1) + dumps([position], 2)


def _packed(frequency: int) -> bytes:
    """pack_uint(frequency), one shared object per small value (most postings' value)."""
    return _FREQUENCIES[frequency] if frequency < 1024 else pack_uint(frequency)


def _plan(field, words: WordAnalysis) -> FieldPlan | None:
    """The field's plan when its analyzer is one of the word analysis' two chains."""
    if type(field.format) not in (Frequency, Positions) or field.vector:
        return None
    analyzer = getattr(field, "analyzer", None)
    if analyzer == words.stemmed_chain:
        return FieldPlan(field, exact=False)
    if analyzer == words.exact_chain:
        return FieldPlan(field, exact=True)
    return None


class FastSegmentWriter(SegmentWriter):
    """A Whoosh SegmentWriter whose add_document analyzes per distinct word (see above)."""

    def __init__(self, ix, words: WordAnalysis | None = None, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self.words = words or word_analysis(AnalysisConfig())
        self._plans = {name: _plan(field, self.words) for name, field in self.schema.items()}
        self._lengths: dict[str, array] = {}
        self._checks_left = SELF_CHECKED_DOCUMENTS
        # (field, its stem lists' column) for the fields whose columns the schema has
        self._stem_lists = [
            (field, column, self.schema[column].column_type)
            for field, column in STEM_LISTS.items()
            if field in self.schema and column in self.schema
        ]

    def _field_items(self, fieldname: str, field, value, terms_of: dict) -> list:
        plan = self._plans.get(fieldname)
        if plan is None or not isinstance(value, str):
            return list(field.index(value))
        terms = terms_of.get(id(value))  # a value's words, shared by its stemmed and exact twin
        if terms is None:
            words = self.words
            if self._checks_left > 0:
                words.check(value)
            if not words.per_word:
                return list(field.index(value))
            terms = terms_of[id(value)] = words.words(words.surfaces(value))
        return plan.items(terms)

    def add_document(self, **fields) -> None:
        """Whoosh's SegmentWriter.add_document, with faster analysis and lengths kept."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        terms_of: dict = {}

        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                items = self._field_items(fieldname, field, value, terms_of)
                scorable = field.scorable
                self._post(fieldname, docnum, items)
                if scorable:
                    length = sum(item[1] for item in items)
                    lengths = self._lengths.get(fieldname)
                    if lengths is None:
                        lengths = self._lengths[fieldname] = array("I")
                    segment_doc = docnum - self.docbase
                    if len(lengths) <= segment_doc:
                        lengths.extend([0] * (segment_doc + 1 - len(lengths)))
                    lengths[segment_doc] = length
            stored = value if field.stored else None
            perdocwriter.add_field(fieldname, field, stored, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        for fieldname, name, column in self._stem_lists:
            terms = terms_of.get(id(fields.get(fieldname)))
            if terms is not None:  # (None: not given, or analyzed by the chains: read the text)
                perdocwriter.add_column_value(name, column, stem_lists.encode(terms))
        perdocwriter.finish_doc()
        if self._checks_left > 0:
            self._checks_left -= 1
        self._added = True
        self.docnum += 1

    def _post(self, fieldname: str, docnum: int, items: list) -> None:
        add_post = self.pool.add
        for tbytes, _freq, weight, vbytes in items:
            add_post((fieldname, tbytes, docnum, weight, vbytes))

    def _flush_segment(self) -> None:
        """Whoosh's, but posting lengths come from memory, not from a column on disk."""
        if self._merged_in:
            return super()._flush_segment()
        self.perdocwriter.close()
        postings = self.pool.iter_postings()
        self.fieldwriter.add_postings(self.schema, _KnownLengths(self._lengths), postings)
        self.fieldwriter.close()

    _merged_in = False

    def add_reader(self, reader) -> None:
        # Merged segments' documents bring lengths we did not record: use Whoosh's flush.
        self._merged_in = True
        super().add_reader(reader)


def abandon(writer: SegmentWriter) -> None:
    """Give up a writer after a failed run without writing anything more. Whoosh's cancel
    first writes the segment's columns out, which fails again on a full disk and is wasted
    anyway: the store removes every file no commit references. Its open files are closed
    unwritten (their space comes back at once, also in a process that goes on running), its
    temporary folder removed, its lock released."""
    if writer.is_closed:
        return
    perdoc, fields = writer.perdocwriter, writer.fieldwriter
    files = (
        getattr(getattr(perdoc, "_cols", None), "_temp", None),  # the columns, stored fields
        getattr(perdoc, "_vpostfile", None),
        getattr(fields, "_postfile", None),
        getattr(getattr(fields, "_tindex", None), "dbfile", None),  # the terms
    )
    for file in files:
        if file is not None and not file.is_closed:  # Whoosh's close raises on a closed one
            try:
                file.close()
            except (OSError, ValueError):  # flushing its buffer failed: it is closed anyway
                pass
    for release in (writer.pool.cleanup, writer._tempstorage.destroy):
        try:
            release()
        except OSError:
            pass
    if writer.writelock:
        writer.writelock.release()
    writer.is_closed = True


class _KnownLengths:
    def __init__(self, lengths: dict[str, array]) -> None:
        self.lengths = lengths

    def rounded(self, fieldname: str) -> list:
        """Every document's length in one field, as doc_field_length answers (None: 0)."""
        return [
            byte_to_length(encoded) if encoded else None
            for encoded in map(length_to_byte, self.lengths.get(fieldname) or ())
        ]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        # As Whoosh's reader answers: the length rounded through its one-byte encoding.
        lengths = self.lengths.get(fieldname)
        if lengths is None or docnum >= len(lengths):
            return default
        encoded = length_to_byte(lengths[docnum])
        return byte_to_length(encoded) if encoded else None


class BulkSegmentWriter(FastSegmentWriter):
    """For worker processes, which only add new documents: postings go straight into an
    in-memory table, field -> term -> (docnums, weights, values), filled in docnum order, so
    the flush only sorts terms. Whoosh's pool instead pickles every posting to a run file
    and merges the runs back with a heap once its buffer is full, which cost more than all
    the analysis. Memory stays bounded: past ``limitmb`` the writer closes its segment and
    starts another (``segments`` lists those it closed)."""

    def __init__(self, ix, words: WordAnalysis | None = None, limitmb: int = 128, **kwargs):
        super().__init__(ix, words, _lk=False, **kwargs)
        self._limit = limitmb * 1024 * 1024
        self.segments: list = []
        self._reset_table()

    def _reset_table(self) -> None:
        self._table: dict[str, dict[bytes, tuple[array, array, list]]] = defaultdict(dict)
        self._size = 0

    def _post(self, fieldname: str, docnum: int, items: list) -> None:
        terms = self._table[fieldname]
        find = terms.get
        added = 16 * len(items)
        for tbytes, _freq, weight, vbytes in items:
            entry = find(tbytes)
            if entry is None:
                entry = terms[tbytes] = (array("I"), array("f"), [])
                added += 420 + len(tbytes)  # key, dict slot, tuple, two arrays, a list
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(vbytes)
            if len(vbytes) > 4:  # a positions value; frequencies are shared (_packed)
                added += len(vbytes) + 33
        self._size += added

    def add_document(self, **fields) -> None:
        super().add_document(**fields)
        if self._size > self._limit:
            self._roll()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = _KnownLengths(self._lengths)
        writer = self.fieldwriter
        for fieldname in sorted(self._table):
            terms = self._table[fieldname]
            writer.start_field(fieldname, self.schema[fieldname])
            postwriter = writer._postwriter
            rounded = lengths.rounded(fieldname)
            rounded += [None] * (self.docnum - self.docbase - len(rounded))
            length_of = rounded.__getitem__
            for tbytes in sorted(terms):
                writer.start_term(tbytes)
                docnums, weights, values = terms[tbytes]
                _fill_blocks(postwriter, docnums, weights, values, length_of)
                if len(docnums) == 1 and postwriter._values:  # (see _finish_inlined)
                    _finish_inlined(writer, tbytes)
                else:
                    writer.finish_term()
            writer.finish_field()
        writer.close()
        self._reset_table()

    def _roll(self) -> None:
        """Close the current segment and carry on in a new one."""
        self.segments.append(self._finalize_segment())
        codec, storage = self.codec, self.storage
        self.newsegment = codec.new_segment(storage, self.indexname)
        self.compound = self.newsegment.should_assemble()
        self.perdocwriter = codec.per_document_writer(storage, self.newsegment)
        self.fieldwriter = codec.field_writer(storage, self.newsegment)
        self.docnum = self.docbase = 0
        self._lengths = {}
        self._added = False

    def finish(self) -> list:
        """Close the last segment; every segment this writer wrote."""
        if self._added:
            self.segments.append(self._finalize_segment())
        else:
            self._close_segment()
        return self.segments


def _fill_blocks(postwriter, docnums: array, weights: array, values: list, length_of) -> None:
    """What W3PostingsWriter.add_posting does once per posting, done once per block of up to
    ``_blocklimit`` postings: same blocks, same statistics (the equality test checks)."""
    limit = postwriter._blocklimit
    for start in range(0, len(docnums), limit):
        if postwriter._ids:
            postwriter._write_block()  # a full block before this one
        ids = docnums[start : start + limit]
        block_weights = weights[start : start + limit]
        lengths = [n for n in map(length_of, ids) if n]  # length_of is a list's __getitem__
        postwriter._ids = ids
        postwriter._weights = block_weights
        postwriter._values = [v for v in values[start : start + limit] if v]
        postwriter._maxweight = max(0, max(block_weights))
        postwriter._minlength = min(lengths) if lengths else None
        postwriter._maxlength = max(lengths) if lengths else 0


def _finish_inlined(writer, tbytes: bytes) -> None:
    """W3FieldWriter.finish_term for a term with one posting, kept in the term's own entry
    (an "inlined" W3TermInfo, which every Whoosh reader and index/whoosh/postings.py read)
    instead of a block of the postings file: most terms of a segment are in one document, and
    a block costs two pickles and a zlib call (a third of a flush). Whoosh 2.7.4 would inline such
    terms itself but calls a method its TermInfo lacks (set_inline, not set_inlined), so its
    codecs leave inlining off. Only for a posting with a value (frequencies, positions): an
    inlined posting without one reads back as '' where a block's reads as None."""
    postwriter = writer._postwriter
    terminfo = postwriter._terminfo
    terminfo.add_block(postwriter)  # the statistics, as finish_postings gathers them
    terminfo.set_inlined(postwriter._ids, postwriter._weights, postwriter._values)
    postwriter._terminfo = None
    postwriter._new_block()
    writer._tindex.add(pack_ushort(writer._fieldid) + tbytes, terminfo.to_bytes())


# ---- worker processes ------------------------------------------------------------------
