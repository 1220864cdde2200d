"""LiveTrees: a process keeps a bounded number of parsed trees; a page let go parses again, the same."""

from __future__ import annotations

import gc

from gkaudit.net.page import Page
from gkaudit.net.trees import REPARSE_MAX_CHARS, LiveTrees

HTML = '<html><head><title>首页</title></head><body><a href="/xxgk/">政府信息公开</a><a href="/a">甲</a></body></html>'


def _page(n: int, text: str = HTML) -> Page:
    return Page(f"http://www.example.gov.cn/{n}.html", text)


def test_least_recently_used_trees_are_let_go(monkeypatch) -> None:
    live = LiveTrees(limit=2)
    monkeypatch.setattr("gkaudit.net.page.LIVE_TREES", live)
    first, second, third = _page(1), _page(2), _page(3)
    for page in (first, second):
        assert page.tree is not None
    assert first.tree is not None  # used again: now the most recent
    third.tree  # noqa: B018
    assert second._tree is None and first._tree is not None and third._tree is not None
    assert live.released == 1 and len(live) == 2


def test_a_released_page_reads_the_same_as_before(monkeypatch) -> None:
    live = LiveTrees(limit=1)
    monkeypatch.setattr("gkaudit.net.page.LIVE_TREES", live)
    page, other = _page(1), _page(2)
    before = ([link for _, link in page.anchors()], page.title, page.tree.css_first("a").text())
    other.tree  # noqa: B018  # lets page's tree go, and its nodes
    assert page._tree is None and "_anchors" not in page.__dict__
    after = ([link for _, link in page.anchors()], page.title, page.tree.css_first("a").text())
    assert after == before and before[0][0].url == "http://www.example.gov.cn/xxgk/"


def test_a_node_in_use_keeps_its_tree_alive(monkeypatch) -> None:
    live = LiveTrees(limit=1)
    monkeypatch.setattr("gkaudit.net.page.LIVE_TREES", live)
    page = _page(1)
    node = page.tree.css_first("a")
    _page(2).tree  # noqa: B018
    gc.collect()
    assert page._tree is None and node.text() == "政府信息公开"


def test_pages_too_big_to_parse_again_quickly_keep_their_trees(monkeypatch) -> None:
    live = LiveTrees(limit=1)
    monkeypatch.setattr("gkaudit.net.page.LIVE_TREES", live)
    big = _page(1, HTML + "<p>" + "字" * REPARSE_MAX_CHARS + "</p>")
    big.tree  # noqa: B018
    for n in range(2, 5):
        _page(n).tree  # noqa: B018
    assert big._tree is not None and len(live) == 1


def test_a_freed_page_leaves_no_entry_that_holds_it(monkeypatch) -> None:
    live = LiveTrees(limit=8)
    monkeypatch.setattr("gkaudit.net.page.LIVE_TREES", live)
    page = _page(1)
    page.tree  # noqa: B018
    del page
    gc.collect()
    kept = _page(2)
    kept.tree  # noqa: B018  # may reuse the freed page's id: still tracked as its own entry
    assert any(ref() is kept for ref in live._pages.values())
