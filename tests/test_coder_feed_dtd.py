"""A feed's DOCTYPE or entity declaration is refused wherever it stands in the file."""

from __future__ import annotations

from collections import Counter

import pytest

from detente.coder.inputs import read_bytes

REFUSED = "feed with a DOCTYPE or ENTITY (refused)"
BOMB_DTD = "<!DOCTYPE rss [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
ITEM = ("<rss><channel><item><title>Talks &b;</title>"
        "<description>Russia and Ukraine held talks.</description></item></channel></rss>")


def read(text: str, fmt: str | None = "feed") -> tuple[list[str], Counter[str]]:
    skipped: Counter[str] = Counter()
    return [d.text for d in read_bytes(text.encode(), "feed.xml", skipped, None, fmt)], skipped


@pytest.mark.parametrize("padding", [
    " \n" * 60_000,                          # 120 KB of whitespace
    "<!--" + "x" * 110_000 + "-->\n",        # a 110 KB comment
    "<!-- a -->\n" * 12_000,                 # many small comments, 132 KB
])
def test_a_doctype_after_100_kib_is_refused(padding: str) -> None:
    text = "<?xml version='1.0'?>\n" + padding + BOMB_DTD + ITEM
    assert text.index("<!DOCTYPE") > 100 * 1024
    assert read(text) == ([], Counter({REFUSED: 1}))


def test_an_external_entity_doctype_is_refused_too() -> None:
    text = ("<?xml version='1.0'?>" + "<!-- -->" * 20_000
            + "<!DOCTYPE rss SYSTEM 'file:///etc/passwd'>" + ITEM.replace("&b;", ""))
    assert read(text) == ([], Counter({REFUSED: 1}))


def test_the_same_feed_without_its_dtd_is_read() -> None:
    text = "<?xml version='1.0'?>\n" + "<!--" + "x" * 110_000 + "-->\n" + ITEM.replace(" &b;", "")
    got, skipped = read(text)
    assert got == ["Talks. Russia and Ukraine held talks."] and skipped == Counter()


def test_a_broken_feed_is_still_reported_as_not_well_formed() -> None:
    text = "<?xml version='1.0'?>\n" + " " * 110_000 + "<rss><channel><item><title>x</title></rss>"
    assert read(text) == ([], Counter({"feed not well-formed XML": 1}))


def test_a_padded_feed_sniffed_as_text_is_kept_verbatim_not_expanded() -> None:
    # 100 KB of comment hides the root from the format sniffer: the file is then one plain
    # text document, and its entity references stay as written
    text = "<?xml version='1.0'?>\n" + "<!--" + "x" * 110_000 + "-->\n" + BOMB_DTD + ITEM
    got, skipped = read(text, fmt=None)
    assert len(got) == 1 and got[0] == text and "aaaaaaaaaaaaaaaaaaaa" not in got[0]
    assert skipped == Counter()
