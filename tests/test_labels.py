"""One spelling of every Chinese level name, header and kind: :mod:`hzgeo.labels`."""

from __future__ import annotations

import re
from pathlib import Path

import hzgeo
from hzgeo import labels

PACKAGE = Path(hzgeo.__file__).parent

# an English key mapped to its Chinese word, as a dict literal spells it
_COPY = re.compile(r'"(city|county|township|village|river|lake|reservoir|large)"\s*:\s*"'
                   r'(市级|县级|乡级|村级|市|县|乡|村|河流|湖泊|水库|大型)"')


def test_no_module_keeps_its_own_copy():
    copies = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "labels.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _COPY.search(line):
                copies.append(f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}")
    assert not copies, "import these from hzgeo.labels:\n" + "\n".join(copies)


def test_the_words():
    assert [labels.LEVEL_NAMES[k] for k in ("city", "county", "township", "village")] == [
        "市级", "县级", "乡级", "村级"]
    assert "".join(labels.LEVEL_SHORT.values()) == "市县乡村"
    assert labels.level_name("county") == "县级" and labels.level_name("x") == "x"
    # headers the directory and the field tables share are spelled once
    for key in set(labels.HEADERS) & set(labels.FIELD_HEADERS):
        if key not in ("water_code", "water_name", "item_code", "item_name"):  # other meaning
            assert labels.FIELD_HEADERS[key] == labels.HEADERS[key], key
    assert len(set(labels.HEADERS.values()) - {"职务"}) == len(labels.HEADERS) - 2  # post
