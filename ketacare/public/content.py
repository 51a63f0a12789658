"""Public pages: Markdown files shipped in `content/` (one per page, with a short header),
overridden or added to by admins through the `Page` model. Markdown is rendered by
`ketacare.core.markdown` (cleaned with nh3: even an admin's page cannot carry a script)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ketacare.core.markdown import render_markdown

from .models import Page

CONTENT_DIR = Path(__file__).resolve().parent / "content"


@dataclass(frozen=True)
class PageContent:
    slug: str
    title: str
    summary: str
    html: str
    nav_order: int


def _split_header(text: str) -> tuple[dict[str, str], str]:
    """A file starts with `key: value` lines between two `---` lines."""
    header: dict[str, str] = {}
    if text.startswith("---\n"):
        head, _, text = text[4:].partition("\n---\n")
        for line in head.splitlines():
            key, _, value = line.partition(":")
            header[key.strip().lower()] = value.strip()
    return header, text


@functools.lru_cache(maxsize=64)
def _render_file(path: Path, mtime: float) -> PageContent:
    header, body = _split_header(path.read_text(encoding="utf-8"))
    return PageContent(
        slug=path.stem,
        title=header.get("title", path.stem.replace("-", " ").capitalize()),
        summary=header.get("summary", ""),
        html=render_markdown(body),
        nav_order=int(header.get("nav_order", "100")),
    )


def _file_page(slug: str) -> PageContent | None:
    path = CONTENT_DIR / f"{slug}.md"
    if not slug.replace("-", "").isalnum() or not path.is_file():
        return None
    return _render_file(path, path.stat().st_mtime)


def _db_page(page: Page) -> PageContent:
    return PageContent(
        page.slug, page.title, page.summary, render_markdown(page.body), page.nav_order
    )


def get_page(slug: str) -> PageContent | None:
    """The page at this slug: the admin's published version, else the shipped file."""
    page = Page.objects.filter(slug=slug, published=True).first()
    return _db_page(page) if page is not None else _file_page(slug)


def menu() -> list[PageContent]:
    """The pages in the menu (nav_order > 0), files and admin pages merged, in order."""
    pages = {path.stem: _file_page(path.stem) for path in sorted(CONTENT_DIR.glob("*.md"))}
    for page in Page.objects.filter(published=True).only("slug", "title", "summary", "nav_order"):
        pages[page.slug] = PageContent(page.slug, page.title, page.summary, "", page.nav_order)
    items = [p for p in pages.values() if p is not None and p.nav_order > 0 and p.slug != "home"]
    return sorted(items, key=lambda p: (p.nav_order, p.slug))
