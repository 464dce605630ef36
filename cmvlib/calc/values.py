"""How typed text reaches the core (standard library only): shared by the declarations and their bindings."""
from __future__ import annotations


def optional(text: str | None) -> str | None:
    """An optional text field: empty (or ``None``) means "not given".

    >>> optional("  "), optional("3"), optional(None)
    (None, '3', None)
    """
    return None if text is None or not str(text).strip() else text


def whole_or_text(text: str) -> object:
    """A text box holding a whole number as ``int`` (a core function then checks its range); anything
    else is passed on unchanged, so the core's message names what was typed.

    >>> whole_or_text(" 14 "), whole_or_text("14.5"), whole_or_text("abc")
    (14, 14.5, 'abc')
    """
    s = str(text).strip()
    try:
        return int(s)
    except ValueError:
        pass
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return text
