"""The HTML page of a card: safe by construction, self-contained, readable and deterministic."""

from __future__ import annotations

import base64
import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from ruamel.yaml import YAML

from bmzcard.outputs import html as page_module
from bmzcard.outputs.html import CONTENT_SECURITY_POLICY, render_fragment, render_html
from bmzcard.sources.package import open_package

from .conftest import parse_page

ALLOWED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]*={0,2}")
FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "base", "form", "input", "button", "svg", "math", "link",
    "textarea", "video", "audio", "template", "noscript", "marquee", "isindex", "plaintext", "frame", "applet",
}  # fmt: skip


def _image_bytes(kind: str, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buffer, format=kind)
    return buffer.getvalue()


def _embedded(page: str) -> list[bytes]:
    return [base64.b64decode(m[2]) for m in re.finditer(r'src="data:image/(\w+);base64,([^"]*)"', page)]


# --- hostile input -----------------------------------------------------------------


def test_hostile_card_keeps_nothing_executable(hostile_card):
    page = render_html(hostile_card).html
    parts = parse_page(page)
    tags = {e.tag for e in parts.elements}
    assert not tags & FORBIDDEN_TAGS
    for element in parts.elements:
        for name, value in element.attrs.items():
            assert not name.startswith("on"), (element.tag, name)
            assert name not in ("style", "srcdoc", "formaction", "action", "xlink:href", "poster", "target")
            if name == "href":
                assert value.startswith(("#", "https://", "http://", "mailto:")), value
            if name == "src":
                assert element.tag == "img" and ALLOWED_IMAGE.fullmatch(value), value
    # one <style> (bmzcard's own, in the head), one http-equiv meta (the CSP)
    assert [e.in_head for e in parts.all("style")] == [True]
    assert [e.attrs["http-equiv"] for e in parts.all("meta") if "http-equiv" in e.attrs] == [
        "Content-Security-Policy"
    ]
    assert "evil.example" not in "".join(parts.styles)
    lowered = page.lower()
    for marker in ("javascript:", "vbscript:", "data:text/html", "alert(", "evil.example/x.js"):
        assert marker not in _attribute_text(parts).lower(), marker
    assert "<script" not in lowered


def _attribute_text(parts) -> str:
    return " ".join(v for e in parts.elements for v in e.attrs.values())


def test_hostile_card_keeps_its_words_as_text(hostile_card):
    text = parse_page(render_html(hostile_card).html).text
    for words in (
        "javascript link", "markdown javascript link", "vbscript link", "data html anchor",
        "entity colon link", "protocol relative link", "safe external link", "clobbering paragraph",
        "styled div text", "details summary", "nested emphasis link", "reference link", "to nowhere",
        "onerror image", "remote image", "svg data image", "plaintext tag",
    ):  # fmt: skip
        assert words in text, words


def test_hostile_card_cannot_clobber_the_page_ids(hostile_card):
    parts = parse_page(render_html(hostile_card, metadata={"name": "x"}, score=0.5).html)
    ids = [e.attrs["id"] for e in parts.elements if "id" in e.attrs]
    assert ids.count("bmz-toc") == 1  # the page's contents; the card's own became card-bmz-toc
    assert "card-bmz-toc" in ids
    page_ids = {"bmz-toc", "bmz-main", "bmz-meta"}
    main_start = next(i for i, e in enumerate(parts.elements) if e.attrs.get("id") == "bmz-main")
    aside = next(i for i, e in enumerate(parts.elements) if e.attrs.get("id") == "bmz-meta")
    card_ids = [e.attrs["id"] for e in parts.elements[main_start + 1 : aside] if "id" in e.attrs]
    assert card_ids and all(i.startswith("card-") for i in card_ids)
    assert not page_ids & set(card_ids)


def test_links_keep_only_web_mail_and_anchor_targets_and_open_safely():
    card = (
        "[web](https://example.org/a?b=1&c=2) [plain](http://example.org) [mail](mailto:a@example.org) "
        "[anchor](#section) [file](evaluation/summary.json) [ftp](ftp://example.org/x)\n\n# Section\n"
    )
    parts = parse_page(render_fragment(card).html)
    links = {e.attrs.get("href"): e.attrs.get("rel") for e in parts.all("a")}
    assert links == {
        "https://example.org/a?b=1&c=2": "noopener noreferrer",
        "http://example.org": "noopener noreferrer",
        "mailto:a@example.org": "noopener noreferrer",
        "#card-section": "noopener noreferrer",
        None: "noopener noreferrer",  # the package file and the ftp link: text without a target
    }
    assert "file" in parts.text and "ftp" in parts.text


def test_anchors_that_land_nowhere_are_reported():
    fragment = render_fragment("# A heading\n\n[ok](#a-heading) [broken](#elsewhere) <a id='own'></a> [own](#own)\n")
    assert [(p.kind, p.target) for p in fragment.problems] == [("anchor", "#elsewhere")]


def test_heading_ids_follow_github_and_repeat_with_suffixes():
    fragment = render_fragment("# Bias, Risks, and Limitations\n## Testing Data, Factors & Metrics\n## Notes\n## Notes\n")
    assert [e.id for e in fragment.toc] == [
        "card-bias-risks-and-limitations",
        "card-testing-data-factors--metrics",
        "card-notes",
        "card-notes-1",
    ]


# --- images ------------------------------------------------------------------------


@pytest.fixture
def image_package(tmp_path: Path) -> Path:
    """A package folder with good images of every type, and images that must not be embedded."""
    package = tmp_path / "package"
    (package / "figures").mkdir(parents=True)
    for kind, suffix in (("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")):
        (package / "figures" / f"good.{suffix}").write_bytes(_image_bytes(kind))
    (package / "figures" / "page.png").write_text("<html><script>alert(1)</script></html>")
    (package / "figures" / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    (package / "figures" / "big.png").write_bytes(_image_bytes("PNG") + b"\0" * 5000)
    outside = tmp_path / "secret.png"
    outside.write_bytes(_image_bytes("PNG", (0, 0, 255)))
    os.symlink(outside, package / "figures" / "escape.png")
    os.symlink(package / "figures" / "good.png", package / "figures" / "inside_link.png")
    return package


IMAGE_CARD = """# Figures

![png](figures/good.png) ![jpeg](figures/good.jpg) ![gif](figures/good.gif) ![webp](./figures/good.webp)
<img src="figures/inside_link.png" alt="inner link">

![html named png](figures/page.png)

![svg](figures/drawing.svg)

![big](figures/big.png)

![escaping link](figures/escape.png)

![parent](../secret.png)

![absolute](/etc/passwd)

![missing](figures/none.png)

![remote](https://example.org/x.png)
"""


def test_images_inside_the_package_are_embedded_with_their_own_bytes_and_type(image_package, monkeypatch):
    monkeypatch.setattr(page_module, "MAX_IMAGE_BYTES", 4000)
    page = render_html(IMAGE_CARD, package=image_package)
    sources = [e.attrs["src"] for e in parse_page(page.html).all("img")]
    types = [s.split(";")[0] for s in sources]
    assert types == ["data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp", "data:image/png"]
    expected = [(image_package / "figures" / n).read_bytes() for n in ("good.png", "good.jpg", "good.gif", "good.webp", "good.png")]
    assert _embedded(page.html) == expected


def test_images_that_are_not_safe_are_not_embedded_but_shown_and_reported(image_package, monkeypatch):
    monkeypatch.setattr(page_module, "MAX_IMAGE_BYTES", 4000)
    page = render_html(IMAGE_CARD, package=image_package)
    reported = {p.target: p.message for p in page.problems}
    assert set(reported) == {
        "figures/page.png", "figures/drawing.svg", "figures/big.png", "figures/escape.png",
        "../secret.png", "/etc/passwd", "figures/none.png", "https://example.org/x.png",
    }  # fmt: skip
    assert "not a PNG" in reported["figures/page.png"] and "not a PNG" in reported["figures/drawing.svg"]
    assert "4,000" in reported["figures/big.png"]
    assert "outside the package" in reported["figures/escape.png"]
    assert "outside the package" in reported["../secret.png"]
    parts = parse_page(page.html)
    for alt in ("html named png", "svg", "big", "escaping link", "parent", "absolute", "missing", "remote"):
        assert f"{alt} [image not embedded:" in parts.text, alt
    notes = [e for e in parts.all("span") if e.attrs.get("class") == "bmz-missing-image"]
    assert len(notes) == 8
    secret = (image_package.parent / "secret.png").read_bytes()
    assert secret not in _embedded(page.html)


def test_data_uri_images_are_kept_only_when_their_bytes_are_that_image():
    png = base64.b64encode(_image_bytes("PNG")).decode()
    html_as_png = base64.b64encode(b"<script>alert(1)</script>").decode()
    card = (
        f"![ok](data:image/png;base64,{png})\n\n"
        f"![liar](data:image/png;base64,{html_as_png})\n\n"
        f'<img src="data:image/jpeg;base64,{png}" alt="wrong type">\n\n'
        '<img src="data:image/png;base64,@@@" alt="malformed">\n'
    )
    page = render_html(card)
    assert _embedded(page.html) == [_image_bytes("PNG")]
    assert len(page.problems) == 3


def test_zip_package_images_are_read_from_the_zip(tmp_path: Path):
    archive = tmp_path / "model.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("rdf.yaml", "type: model\nname: zipped\ncovers: [cover.png]\n")
        zipped.writestr("docs/README.md", "# Zipped\n\n![figure](../figure.gif)\n")
        zipped.writestr("figure.gif", _image_bytes("GIF"))
        zipped.writestr("cover.png", _image_bytes("PNG", (1, 2, 3)))
    package = open_package(archive)
    page = render_html(
        "# Zipped\n\n![figure](../figure.gif) ![out](../../x.png)\n", package=package, card_name="docs/README.md",
        metadata={"name": "zipped", "covers": ["cover.png"]},
    )
    assert _embedded(page.html) == [_image_bytes("GIF"), _image_bytes("PNG", (1, 2, 3))]  # the cover in the side table
    assert [p.target for p in page.problems] == ["../../x.png"]


def test_total_embedded_bytes_are_bounded(image_package, monkeypatch):
    one = len((image_package / "figures" / "good.png").read_bytes())
    monkeypatch.setattr(page_module, "MAX_EMBEDDED_BYTES", one + 10)
    page = render_html("![a](figures/good.png) ![b](figures/good.gif)\n", package=image_package)
    assert len(_embedded(page.html)) == 1
    assert "already embeds" in page.problems[0].message


# --- the page ----------------------------------------------------------------------


def test_page_is_self_contained_with_a_strict_policy(unet2d: Path):
    rendered = render_html(
        (unet2d / "README.md").read_text(encoding="utf-8"), package=unet2d,
        metadata=YAML(typ="safe").load((unet2d / "bioimageio.yaml").read_text()), score=0.25,
    )
    parts = parse_page(rendered.html)
    policy = [e.attrs["content"] for e in parts.all("meta") if e.attrs.get("http-equiv") == "Content-Security-Policy"]
    assert policy == [CONTENT_SECURITY_POLICY]
    assert "default-src 'none'" in policy[0] and "img-src data:" in policy[0] and "script" not in policy[0]
    assert not parts.all("script") and not parts.all("link")
    assert all(ALLOWED_IMAGE.fullmatch(e.attrs["src"]) for e in parts.all("img"))
    assert not re.search(r"url\(|@import|@font-face", "".join(parts.styles))
    assert "@media print" in "".join(parts.styles)


def test_side_table_shows_the_rdf_as_written(unet2d: Path):
    rdf = YAML(typ="safe").load((unet2d / "bioimageio.yaml").read_text())
    text = parse_page(render_html("# Card\n", package=unet2d, metadata=rdf, score=0.4567).html).text
    assert f"license {rdf['license']}" in text
    assert "tags " + ", ".join(rdf["tags"]) in text
    assert "authors " + "; ".join(a["name"] for a in rdf["authors"]) in text
    assert "weight formats ONNX, PyTorch (TorchScript)" in text
    assert f"format version {rdf['format_version']}" in text
    assert "version missing" in text  # this RDF has no version: shown as missing, not hidden
    assert "completeness 45.7%" in text
    cover = (unet2d / rdf["covers"][0]).read_bytes()
    assert _embedded(render_html("# Card\n", package=unet2d, metadata=rdf).html) == [cover]


def test_card_without_a_title_gets_the_rdf_name_and_summary():
    parts = parse_page(render_html("Just a line.\n", metadata={"name": "My <b>Model</b>", "description": "Does things."}).html)
    assert [e.attrs.get("class") for e in parts.all("h1")] == ["bmz-title"]
    assert "My <b>Model</b> Does things. Just a line." in parts.text  # escaped: the name is text


def test_todo_fields_are_marked_missing():
    card = "# Model Details\n\n## Model Description\n\n- **Developed by:** Ada\n- **Funded by:** TODO *[Funding agency]*\n"
    parts = parse_page(render_fragment(card).html)
    items = parts.all("li")
    assert [i.attrs.get("class") for i in items] == [None, "bmz-missing"]
    assert [m.attrs.get("class") for m in parts.all("mark")] == ["bmz-todo"]


def test_front_matter_is_not_shown():
    fragment = render_fragment("---\nlicense: mit\ntags: [a]\n---\n# Title\n\nText.\n")
    assert "license" not in fragment.html and fragment.title == "Title"


def test_same_input_same_bytes_and_the_card_hash(image_package):
    card = IMAGE_CARD + "\nTODO more\n"
    first = render_html(card, package=image_package, metadata={"name": "n", "tags": ["b", "a"]}, score=0.5)
    second = render_html(card, package=image_package, metadata={"name": "n", "tags": ["b", "a"]}, score=0.5)
    assert first.html == second.html
    import hashlib

    from bmzcard import __version__

    digest = hashlib.sha256(card.encode("utf-8")).hexdigest()
    metas = {e.attrs.get("name"): e.attrs.get("content") for e in parse_page(first.html).all("meta")}
    assert metas["bmzcard-card-sha256"] == digest
    assert metas["generator"] == f"bmzcard {__version__}"
    assert first.card_sha256 == digest


def test_every_shared_card_renders(shared: Path):
    cards = sorted((shared / "bmz" / "cards").glob("*.md"))
    assert len(cards) == 41
    for card in cards:
        page = render_html(card.read_text(encoding="utf-8"), package=card.parent, card_name=card.name)
        parts = parse_page(page.html)
        assert not parts.all("script"), card.name
        assert all(ALLOWED_IMAGE.fullmatch(e.attrs["src"]) for e in parts.all("img")), card.name
        assert parts.text, card.name


def test_markup_in_attribute_values_stays_text():
    fragment = render_fragment('<p title="<img src=x>">words</p>\n\n![a <img> b](gone.png)\n')
    parts = parse_page(fragment.html)
    assert parts.all("p")[0].attrs["title"] == "<img src=x>"
    assert [e.attrs.get("class") for e in parts.all("span")] == ["bmz-missing-image"]
    assert [p.target for p in fragment.problems] == ["gone.png"]


def test_sizes_are_bounded_before_any_parsing_cost():
    from bmzcard.errors import BmzcardError

    with pytest.raises(BmzcardError, match="raw HTML tags"):
        render_html("<div>" * 20_000 + "x" + "</div>" * 20_000, card_name="deep.md")
    with pytest.raises(BmzcardError, match="not a model card"):
        render_html("x" * 5_000_001)
    assert render_fragment("<div>" * 1000 + "kept\n").html.count("<div>") == 1000  # within bounds: rendered


def test_a_heading_reads_the_same_in_the_contents_and_on_the_page():
    """nh3 drops `<script>` with its text: the contents list and the anchor must not keep it."""
    import re

    page = render_html("# Hostile <script>alert(1)</script> card\n\n## Next <style>x{}</style> part\n\nText.\n",
                       package=None).html
    assert "alert(1)" not in page and "x{}" not in page
    nav = page[page.index("<nav"):page.index("</nav>")]
    headings = re.findall(r"<h[12][^>]*>(.*?)</h[12]>", page.split("</nav>", 1)[1], flags=re.S)
    for heading in headings:
        words = " ".join(re.sub(r"<[^>]+>", " ", heading).split())
        assert words in " ".join(re.sub(r"<[^>]+>", " ", nav).split()), (words, nav)
