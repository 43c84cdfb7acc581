"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitizes."""
import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None) -> Markup:
    """Render user Markdown to sanitized HTML, with links marked nofollow."""
    return _render(text or "")


@lru_cache(maxsize=2048)
def _render(text: str) -> Markup:
    """`render_markdown`, remembered: a page shows the same body and comments to every reader (a pure function of
    the text; the most read texts stay, about a thousand comments' worth of memory)."""
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener noreferrer",
    )
    return Markup(clean)


def plain_text(text: str | None) -> str:
    """The words of user Markdown without its markup, for search snippets."""
    return html.unescape(nh3.clean(_md.render(text or ""), tags=set())).strip()
