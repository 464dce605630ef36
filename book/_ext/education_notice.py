"""One "For education only" notice at the top of every page of the HTML book, right under its title.

A local Sphinx extension (``_config.yml``: ``sphinx.local_extensions``). The wording is the
``education_notice`` configuration value (``_config.yml``, ``sphinx.config``); the text up to its first
colon is shown in bold. The style is ``.cmv-education-notice`` in ``book/_static/book.css`` (the theme's
warning colours, readable in light and dark mode).

Why not a theme option: Jupyter Book passes ``html.extra_footer`` and ``html.announcement`` to the theme
only when ``sphinx.config`` does not set ``html_theme_options`` itself, and this book does, so both were
dropped without a warning (the footer of every page was empty). An announcement banner would also sit
above the site's header, outside the page's main content. A node in each page's doctree is part of the
page whatever the theme's templates do.

The node is added when a page is written (``doctree-resolved``), for HTML builders only: the stored
doctrees, the LaTeX/PDF output and the search index are untouched (the node holds no text, so every page
does not come up when someone searches for "education").
"""
from __future__ import annotations

from html import escape

from docutils import nodes
from sphinx.application import Sphinx

CSS_CLASS = "cmv-education-notice"
DEFAULT_NOTICE = "For education only: not for the care of individual patients."


class education_notice(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """The notice; its HTML is written from ``node["text"]`` (no text children)."""


def notice_html(text: str) -> str:
    lead, colon, rest = text.partition(":")
    body = f"<strong>{escape(lead + colon)}</strong>{escape(rest)}" if colon else escape(text)
    return f'<div class="{CSS_CLASS}" role="note">\n<p>{body}</p>\n</div>\n'


def visit_notice_html(self, node: education_notice) -> None:
    self.body.append(notice_html(node["text"]))
    raise nodes.SkipNode


def add_notice(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Insert the notice after the title of the page's first section (or at the top of a page without one)."""
    if app.builder.format != "html" or not app.config.education_notice:
        return
    node = education_notice(text=app.config.education_notice)
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is not None and title.parent is section:
            section.insert(section.index(title) + 1, node)
            return
    doctree.insert(0, node)


def setup(app: Sphinx) -> dict:
    app.add_config_value("education_notice", DEFAULT_NOTICE, "html", types=[str])
    app.add_node(education_notice, html=(visit_notice_html, None))
    app.connect("doctree-resolved", add_notice)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
