"""An index written by an older bahth opens in this one (or says, in one line, that it needs a
rebuild): users upgrade bahth, not their indexes.

tests/data/index_before_the_move/_MAIN_1.toc is the table of contents of the seeds' index as
bahth wrote it before the folder store moved to index/whoosh/ (commit 4ea0d2a). Whoosh keeps
the schema in it pickled by module path, so it names ``bahth.index.schema.Values``: without the
alias in index/whoosh/schema.py, every such index reads as damaged.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

OLD_TOC = Path(__file__).parent / "data" / "index_before_the_move" / "_MAIN_1.toc"

OPEN_IT = """
import sys
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
import bahth  # what a user imports; the folder store comes with it
toc = TOC.read(FileStorage(sys.argv[1]), "MAIN")
print(type(toc.schema["has"]).__module__)
"""


def test_the_old_table_of_contents_names_the_old_module() -> None:
    """The fixture is what it says: without this, the test below proves nothing."""
    assert b"bahth.index.schema\nValues" in OLD_TOC.read_bytes()
    assert b"bahth.index.whoosh.schema" not in OLD_TOC.read_bytes()


def test_an_index_written_before_the_move_opens(tmp_path: Path) -> None:
    shutil.copy(OLD_TOC, tmp_path / OLD_TOC.name)
    done = subprocess.run(
        [sys.executable, "-c", OPEN_IT, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[0] == "bahth.index.whoosh.schema"
