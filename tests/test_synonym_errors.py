"""A settings file whose synonyms hold a group that is not one (a single entry, an empty
list, a number, a table) is refused in one line that says which group: in a list of
hundreds, the one to mend is found at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bahth.index.settings import Settings, SettingsError

GOOD = '["الأمم المتحدة", "UN"]'

# (the synonyms value written in the file; what the error says of it, or None: no group named)
GROUPS = [
    pytest.param(f'[{GOOD}, ["الرجاء"]]', 'group 2, ["الرجاء"]', id="a-group-of-one"),
    pytest.param(f"[{GOOD}, []]", "group 2, []", id="an-empty-group"),
    pytest.param('[["", "x"]]', 'group 1, ["", "x"]', id="an-empty-entry"),
    pytest.param("[[1, 2]]", "group 1, [1, 2]", id="numbers-not-words"),
    pytest.param(f"[{GOOD}, {GOOD}, {{x = 1}}]", 'group 3, {"x": 1}', id="a-table-not-a-list"),
    pytest.param('["a", "b"]', 'group 1, "a"', id="words-not-groups"),
    pytest.param('"x"', None, id="not-a-list-at-all"),
]


@pytest.mark.parametrize("value, named", GROUPS)
def test_a_bad_synonym_group_is_named(tmp_path: Path, value: str, named: str | None) -> None:
    path = tmp_path / "s.toml"
    path.write_text(f"[analysis]\nsynonyms = {value}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        Settings.load(path)
    message = str(raised.value)
    assert "synonyms is a list of groups of two or more words or phrases" in message
    if named is None:
        assert "(group" not in message
    else:
        assert f"({named}, is not one)" in message, message
