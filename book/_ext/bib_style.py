"""A pybtex bibliography style for the book: pybtex's ``plain`` with identifiers as plain text.

The book is offline-complete, so its pages carry no links to third-party hosts. The entries of
``book/references.bib`` keep their standard ``doi``, ``pubmed`` and ``url`` fields; this style
prints them as text ("DOI 10.1097/...", "PMID 29596116", the address) instead of links. Selected
in ``_config.yml`` with ``bibtex_default_style: cmvplain``.
"""
from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.richtext import Text
from pybtex.style.template import FieldIsMissing, field, join, node, sentence, words


@node
def names_et_al(children, context, role):
    """Names of ``role`` joined Vancouver-style; a trailing ``and others`` becomes "et al."."""
    assert not children
    try:
        persons = context["entry"].persons[role]
    except KeyError:
        raise FieldIsMissing(role, context["entry"]) from None
    style = context["style"]
    others = bool(persons) and str(persons[-1]) == "others"
    named = persons[:-1] if others else persons
    formatted = [style.format_name(person, style.abbreviate_names) for person in named]
    if not others:
        return join(sep=", ", sep2=" and ", last_sep=", and ")[formatted].format_data(context)
    listed = join(sep=", ")[formatted].format_data(context)
    return Text(listed, ", et al." if len(named) > 1 else " et al.")


class CmvPlainStyle(PlainStyle):
    """``plain``, with DOI, PMID and URL printed as text rather than hyperlinks, and "et al."."""

    def format_names(self, role, as_sentence=True):
        formatted = names_et_al(role)
        return sentence[formatted] if as_sentence else formatted

    def format_url(self, e):
        return words["Available from", field("url", raw=True)]

    def format_pubmed(self, e):
        return join["PMID ", field("pubmed", raw=True)]

    def format_doi(self, e):
        return join["DOI ", field("doi", raw=True)]

    def format_eprint(self, e):
        return join["arXiv ", field("eprint", raw=True)]


def setup(app):
    register_plugin("pybtex.style.formatting", "cmvplain", CmvPlainStyle)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
