"""The page in a real browser (Debian's chromium through playwright), with the network refused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bmzcard.outputs.html import render_html
from bmzcard.sources.rdf import parse_raw

from .test_html import IMAGE_CARD, image_package  # noqa: F401  (fixture)

_DANGEROUS = "script, iframe, object, embed, form, input, button, base, svg, math, link, frame, frameset, video, audio"
_CARD_ELEMENTS = """() => {
  const all = [...document.querySelectorAll('*')];
  return {
    handlers: all.flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on')),
    dangerous: document.querySelectorAll('""" + _DANGEROUS + """').length,
    styles: document.querySelectorAll('style').length,
    refresh: document.querySelectorAll('meta[http-equiv]:not([http-equiv="Content-Security-Policy"])').length,
    scripts: document.scripts.length,
    hrefs: [...document.querySelectorAll('[href]')].map(e => e.getAttribute('href')),
    srcs: [...document.querySelectorAll('[src], [srcset], [poster], [data]')].map(e => e.getAttribute('src')),
  };
}"""


def _load(guarded, html: str) -> None:
    guarded.page.set_content(html, wait_until="load")


def test_hostile_page_runs_nothing_and_requests_nothing(offline_page, hostile_card):
    _load(offline_page, render_html(hostile_card, metadata={"name": "hostile"}, score=0.1).html)
    page = offline_page.page
    for text in ("clobbering paragraph", "details summary", "javascript link", "entity colon link"):
        page.get_by_text(text, exact=True).first.click(timeout=2000)  # handlers would fire here
    page.mouse.move(5, 5)
    page.wait_for_timeout(300)
    seen = page.evaluate(_CARD_ELEMENTS)
    assert seen["handlers"] == [] and seen["dangerous"] == 0 and seen["scripts"] == 0
    assert seen["styles"] == 1 and seen["refresh"] == 0
    assert all(h.startswith(("#", "http://", "https://", "mailto:")) for h in seen["hrefs"]), seen["hrefs"]
    assert offline_page.dialogs == []
    assert [u for u in offline_page.requested if not u.startswith("data:")] == []
    assert page.url == "about:blank"  # no refresh, no navigation by the card


def test_images_show_from_data_uris_only(offline_page, image_package, monkeypatch):  # noqa: F811
    monkeypatch.setattr("bmzcard.outputs.html.MAX_IMAGE_BYTES", 4000)
    _load(offline_page, render_html(IMAGE_CARD, package=image_package).html)
    sizes = offline_page.page.evaluate(
        "() => [...document.images].map(i => [i.currentSrc.slice(0, 15), i.complete, i.naturalWidth])"
    )
    assert sizes and all(src == "data:image/png;" or src.startswith("data:image/") for src, _, _ in sizes)
    assert all(complete and width == 4 for _, complete, width in sizes)  # each decoded: the 4x3 test images
    assert [u for u in offline_page.requested if not u.startswith("data:")] == []
    notes = offline_page.page.locator(".bmz-missing-image")
    assert notes.count() == 8 and notes.first.is_visible()


def test_table_of_contents_links_land_on_their_sections(offline_page, shared: Path):
    template = shared / "bmz" / "cards" / "bioimageio__model-card-template.md"
    rendered = render_html(template.read_text(encoding="utf-8"), package=template.parent, card_name=template.name)
    _load(offline_page, rendered.html)
    page = offline_page.page
    page.set_viewport_size({"width": 1400, "height": 700})
    targets = page.evaluate("() => [...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href'))")
    landing = page.evaluate("ids => ids.filter(id => document.getElementById(id.slice(1)) === null)", targets)
    assert landing == [p.target.replace("#", "#card-", 1) for p in rendered.problems if p.kind == "anchor"]
    toc = page.locator("#bmz-toc a")
    assert toc.count() >= 20
    for index in (toc.count() - 1, toc.count() // 2, 3):
        link = toc.nth(index)
        target = link.get_attribute("href")
        link.click()
        page.wait_for_function("id => location.hash === id", arg=target)
        top, at_bottom = page.evaluate(
            "id => [document.getElementById(id.slice(1)).getBoundingClientRect().top,"
            " scrollY + innerHeight >= document.documentElement.scrollHeight - 1]",
            target,
        )
        assert 0 <= top < 40 or (at_bottom and 0 <= top < 700), (target, top)  # the last ones end the page
    assert offline_page.dialogs == []
    assert [u for u in offline_page.requested if not u.startswith("data:")] == []


def test_demo_card_page_shows_and_prints(offline_page, tmp_path, unet2d: Path):
    copy = tmp_path / "package"
    shutil.copytree(unet2d, copy)
    rdf = parse_raw((copy / "bioimageio.yaml").read_bytes(), "bioimageio.yaml")
    _load(offline_page, render_html((copy / "README.md").read_text(), package=copy, metadata=rdf, score=0.3).html)
    page = offline_page.page
    page.set_viewport_size({"width": 1400, "height": 900})
    assert page.locator("#bmz-meta").is_visible() and page.locator("#bmz-toc").is_visible()
    assert page.locator("#bmz-meta img").evaluate("i => i.naturalWidth") > 0  # the RDF's cover
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.emulate_media(media="print")
    assert not page.locator("#bmz-toc").is_visible()  # print hides the navigation
    assert [u for u in offline_page.requested if not u.startswith("data:")] == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_schemes_keep_text_readable(offline_page, scheme):
    offline_page.page.emulate_media(color_scheme=scheme)
    _load(offline_page, render_html("# T\n\n- **Funded by:** TODO\n").html)
    colours = offline_page.page.evaluate(
        "() => [getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
    )
    assert colours[0] != colours[1]


def test_demo_writes_the_page_and_its_screenshot(tmp_path, unet2d: Path):
    from PIL import Image

    copy = tmp_path / "package"
    shutil.copytree(unet2d, copy)
    # its own process: playwright's sync API cannot start while the session's browser runs here
    code = "import sys; from pathlib import Path; from bmzcard.cli.demo import _render; print(_render(Path(sys.argv[1])))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(copy / "README.md")], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert "Screenshot of the page" in done.stdout
    assert "bmzcard-card-sha256" in (copy / "README.html").read_text()
    with Image.open(copy / "README.png") as picture:
        assert picture.format == "PNG" and picture.size == (1440, 1100)
        low, high = picture.convert("L").getextrema()
        assert high - low > 100  # a rendered page, not a blank screen


def test_screenshot_works_where_an_asyncio_loop_runs():
    """A notebook runs an asyncio loop, where playwright's sync API refuses to start; the
    screenshot takes a thread of its own. (The loop runs in a fresh thread here, so that the
    browser this test session may hold in its main thread does not interfere.)"""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from bmzcard.outputs.html import screenshot

    async def inside_a_loop() -> bytes:
        return screenshot(render_html("# A card\n\nSome text.\n", package=None).html, width=320, height=200)

    with ThreadPoolExecutor(max_workers=1) as pool:
        picture = pool.submit(asyncio.run, inside_a_loop()).result()
    assert picture.startswith(b"\x89PNG\r\n\x1a\n") and len(picture) > 500
