"""Helpers for the page tests: what an HTML page holds, read with the standard library's parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    in_head: bool


@dataclass
class PageParts:
    elements: list[Element] = field(default_factory=list)
    text: str = ""  # the body's text, as a reader sees it (tags removed)
    styles: list[str] = field(default_factory=list)  # contents of <style> elements

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts = PageParts()
        self.in_head = False
        self.in_style = False
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        self.in_style = tag == "style"
        self.parts.elements.append(Element(tag, {k: v or "" for k, v in attrs}, self.in_head))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            self.parts.styles.append(data)
        elif not self.in_head:
            self.text.append(data)


def parse_page(page: str) -> PageParts:
    collector = _Collector()
    collector.feed(page)
    collector.close()
    collector.parts.text = " ".join(" ".join(collector.text).split())  # a space between elements
    return collector.parts


@pytest.fixture
def hostile_card() -> str:
    return (DATA / "hostile.md").read_text(encoding="utf-8")
