"""The weekly report's HTML, text and catalogs, rendered from the seeded synthetic scenario."""

from __future__ import annotations

import importlib.util
import io
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from monitor.weekly import build_weekly_context
from reports.png import encode_png, sparkline_png
from reports.render import render_browser, render_email
from reports.tiles import GRID

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("report_speed", ROOT / "benchmarks/report_speed.py")
scenario = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenario)


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.text = tag, dict(attrs), parent, [], []

    def all(self, tag=None, **attrs):
        for child in self.children:
            if (tag is None or child.tag == tag) and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                yield child
            yield from child.all(tag, **attrs)

    def find(self, tag=None, **attrs):
        return next(self.all(tag, **attrs))

    def content(self) -> str:
        return "".join(self.text) + "".join(c.content() for c in self.children)


VOID = {"meta", "br", "img", "link", "input", "hr"}


class Tree(HTMLParser):
    """A small DOM: enough to count rows and read cells; fails on unbalanced tags."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.node = Node("#root", [])
        self.feed(html)
        self.close()
        assert self.node is self.root, f"unclosed <{self.node.tag}>"

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.node)
        self.node.children.append(node)
        if tag not in VOID:
            self.node = node

    def handle_endtag(self, tag):
        assert self.node.tag == tag, f"</{tag}> closes <{self.node.tag}>"
        self.node = self.node.parent

    def handle_data(self, data):
        self.node.text.append(data)


@pytest.fixture(scope="module")
def inputs():
    return scenario.synthetic_inputs(120)


@pytest.fixture(scope="module", params=["uk", "en"])
def ctx(request, inputs):
    return build_weekly_context(**inputs, week=scenario.WEEK, lang=request.param)


def test_browser_report_has_every_section_and_the_numbers(ctx):
    tree = Tree(render_browser(ctx)).root
    assert tree.find("html").attrs["lang"] == ctx.lang
    ids = [h.attrs.get("id") for h in tree.all("h2")]
    assert ids == ["headline", "map", "episodes", "contacts", "outages", "quality", "methods"]
    # The map: one tile per region, each printing its index; the table repeats the numbers.
    tiles = list(tree.all("td", **{"class": "tile"}))
    assert sorted(t.attrs["data-region"] for t in tiles) == sorted(GRID)
    kharkiv = next(t for t in tiles if t.attrs["data-region"] == "UA-63")
    index = ctx.regions[[r.code for r in ctx.regions].index("UA-63")].figures.this_week.index
    assert index < 0.5 and "#d7191c" in kharkiv.attrs["style"]
    assert f"{round(index * 100)}" in kharkiv.content() and "▼▼" in kharkiv.content()
    rows = list(tree.find("table", **{"class": "regions"}).find("tbody").all("tr"))
    assert len(rows) == 27 and all(len(list(r.all("td"))) == 5 for r in rows)
    # Episodes: the three lists with the scenario's counts.
    assert ctx.episode_totals == (len(ctx.new_episodes), len(ctx.ongoing_episodes), len(ctx.resolved_episodes))
    for kind, rows in (("new", ctx.new_episodes), ("ongoing", ctx.ongoing_episodes), ("resolved", ctx.resolved_episodes)):
        table = tree.find("table", **{"class": "episodes", "data_kind": kind})
        assert len(list(table.find("tbody").all("tr"))) == len(rows) > 0
    # Contacts: ranked, each with a sparkline embedded as data and its numbers in text.
    contact_rows = list(tree.find("table", **{"class": "contacts"}).find("tbody").all("tr"))
    assert [r.attrs["data-institution"] for r in contact_rows] == [c.institution_id for c in ctx.contacts]
    priorities = [c.priority for c in ctx.contacts]
    assert priorities == sorted(priorities, reverse=True)
    for row in contact_rows:
        img = row.find("img")
        assert img.attrs["src"].startswith("data:image/png;base64,")
        assert img.attrs["alt"].count(",") >= 7  # eight weekly values in text
    outages = list(tree.find("table", **{"class": "timeline"}).find("tbody").all("tr"))
    assert [len(list(r.all("td"))) for r in outages] == [1 + 14 + 1] * len(ctx.outages)
    assert len(outages) == 2  # Kharkiv (open) and Donetsk (resolved last week)


def test_nothing_leaves_the_page(ctx):
    html = render_browser(ctx)
    tree = Tree(html).root
    for tag, attr in (("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src")):
        for node in tree.all(tag):
            assert node.attrs[attr].startswith("data:"), node.attrs
    assert not list(tree.all("script")) and "url(" not in html and "@import" not in html


def test_hostile_names_are_escaped(inputs):
    ctx = build_weekly_context(**inputs, week=scenario.WEEK, lang="en")
    names = {c.name for c in ctx.contacts} | {e.subject for e in ctx.ongoing_episodes + ctx.new_episodes + ctx.resolved_episodes}
    assert set(scenario.HOSTILE) <= names  # the scenario puts them in the report
    for html in (render_browser(ctx), render_email(ctx).html):
        assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        tree = Tree(html).root
        assert not list(tree.all("script"))
        texts = [td.content() for td in tree.all("td")]
        for hostile in scenario.HOSTILE:
            assert any(hostile in t for t in texts), hostile[:30]  # shown verbatim as text
    assert "<script>alert(1)</script>" in render_email(ctx).text  # plain text is not HTML


def test_email_body_is_small_inline_styled_and_without_script_or_svg(inputs):
    ctx = build_weekly_context(**scenario.synthetic_inputs(2000), week=scenario.WEEK, lang="uk")
    body = render_email(ctx, episodes=15, contacts=20)
    assert len(body.html.encode()) < 100 * 1024
    tree = Tree(body.html).root
    for banned in ("script", "svg", "style", "link", "iframe"):
        assert not list(tree.all(banned)), banned
    srcs = [img.attrs["src"] for img in tree.all("img")]
    assert len(srcs) == len(body.images) == 20
    assert {s.removeprefix("cid:") for s in srcs} == {cid for cid, _ in body.images}
    assert all(png.startswith(b"\x89PNG") for _, png in body.images)
    more = [p.content() for p in tree.all("p") if "…" in p.content()]
    assert any(f"{ctx.episode_totals[1] - 15}" in m for m in more)  # the truncation is said


def test_formats_follow_the_locale(inputs):
    uk = build_weekly_context(**inputs, week=scenario.WEEK, lang="uk")
    en = build_weekly_context(**inputs, week=scenario.WEEK, lang="en")
    uk_text, en_text = render_email(uk).text, render_email(en).text
    assert uk_text.startswith("Безперервність навчання: Україна\nТиждень 47 2026 року (2026-W47), 16–22 лист. 2026")
    assert en_text.startswith("Learning continuity: Ukraine\nWeek 47 of 2026 (2026-W47), 16\u2009–\u200922 Nov 2026")
    assert "в. п." in uk_text and " pp" in en_text
    assert "Харківська область" in uk_text and "Kharkiv Oblast" in en_text


def test_catalogs_are_complete_and_compiled():
    locale = ROOT / "reports/locale"
    pot = read_po(io.BytesIO((locale / "messages.pot").read_bytes()))
    for lang in ("uk", "en"):
        po = read_po(io.BytesIO((locale / lang / "LC_MESSAGES/messages.po").read_bytes()))
        mo = read_mo(io.BytesIO((locale / lang / "LC_MESSAGES/messages.mo").read_bytes()))
        ids = {m.id for m in pot if m.id}
        assert ids == {m.id for m in po if m.id} == {m.id for m in mo if m.id}
        assert all(m.string for m in po if m.id), f"untranslated {lang} message"
        assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}


def _decode_rgb_png(data: bytes) -> list[bytes]:
    width, height = struct.unpack(">II", data[16:24])
    raw = zlib.decompress(data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8])
    stride = 1 + width * 3
    return [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]


def test_png_encoder_and_sparkline():
    png = encode_png(2, 1, [[(255, 0, 0), (0, 0, 255)]])
    assert _decode_rgb_png(png) == [bytes([255, 0, 0, 0, 0, 255])]
    assert zlib.crc32(png[12:29]) == struct.unpack(">I", png[29:33])[0]
    spark = _decode_rgb_png(sparkline_png((10.0, 0.0, 40.0), (40.0, 40.0, 40.0), bar=2, gap=1, height=5))
    # Bottom row: first bar (below half of expected) red, second empty, third blue and full.
    assert spark[4][0:3] == bytes([215, 25, 28]) and spark[4][6:9] == bytes([255, 255, 255])
    assert spark[0][18:21] == bytes([60, 60, 60])  # expected tick at the top of the third bar
    with pytest.raises(ValueError):
        encode_png(2, 2, [[(0, 0, 0)]])
