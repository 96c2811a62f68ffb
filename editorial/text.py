"""Editor text to safe HTML: markdown rendered, then sanitised by nh3."""

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li",
    "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}
_FOOTNOTE = re.compile(r"\[(\d{1,3})\](?!\()")


def sanitise(html: str) -> str:
    """Return HTML with everything but plain formatting and safe links removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener nofollow",
    )


def render_markdown(text: str) -> str:
    """Return editor markdown as sanitised HTML."""
    return sanitise(_markdown.render(text or ""))


def render_inline(text: str) -> str:
    """Return one line of markdown as sanitised HTML without a paragraph."""
    return sanitise(_markdown.renderInline(text or ""))


def link_footnotes(html: str) -> str:
    """Turn `[n]` markers in rendered HTML into links to the n-th source."""
    return _FOOTNOTE.sub(
        r'<sup class="footnote"><a href="#source-\1" '
        r'aria-label="Source \1">[\1]</a></sup>',
        html,
    )


def footnote_numbers(text: str) -> set[int]:
    """Return the footnote numbers `[n]` cited in a markdown text."""
    return {int(number) for number in _FOOTNOTE.findall(text or "")}


def split_lines(text: str) -> list[str]:
    """Return the non-empty lines of a one-item-per-line field, bullets removed."""
    items = []
    for line in (text or "").splitlines():
        item = line.strip().removeprefix("- ").removeprefix("* ").strip()
        if item:
            items.append(item)
    return items


def is_web_address(value: str) -> bool:
    """Return whether a string is an http(s) address, safe to use as a link."""
    return bool(re.match(r"^https?://[^\s<>\"']+$", value.strip(), re.IGNORECASE))
