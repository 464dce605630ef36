"""Smaller saved widget state: the attributes the widget manager restores by itself are left out of a page.

myst-nb writes a notebook's saved ipywidgets state into the page as the kernel kept it: every attribute of
every model, e.g. 45 ``null`` attributes per layout (chapter 2: 575 KB of state). Two kinds of attribute need
not travel, because the HTML widget manager's JavaScript models give them the same values by default:

- the class-naming attributes (``_model_name``, ``_view_module``, ...: the manager creates a model from the
  entry's own ``model_module``/``model_name`` and the JavaScript class names its view), when they are the
  Python class's defaults;
- a layout's unset (``null``) attributes.

Only these: Python's trait defaults are not always the JavaScript ones (a checkbox's ``value`` or a style's
``description_width`` differ), so "drop every default", as ``ipywidgets.embed`` can, would change what the page
shows. ``tests/book/test_static_output.py`` checks in the browser that every attribute left out reads back as
the kernel saved it. The JSON is also written without spaces.

Connected to ``html-page-context`` before ``live_calculators`` (which reads the state's marks).
"""
from __future__ import annotations

import json
from functools import cache
from typing import Any

from sphinx.application import Sphinx

STATE_TYPE = "application/vnd.jupyter.widget-state+json"
CLASS_KEYS = ("_model_module", "_model_module_version", "_model_name", "_view_module", "_view_module_version",
              "_view_name", "_view_count")
LAYOUT = ("@jupyter-widgets/base", "LayoutModel")


@cache
def class_defaults() -> dict[tuple[str, str], dict[str, Any]]:
    """(model module, model name) -> the class-naming attributes' defaults, for every registered ipywidgets
    model."""
    from ipywidgets.widgets.widget import _registry

    out: dict[tuple[str, str], dict[str, Any]] = {}
    for (model_module, _, model_name, *_), cls in _registry.items():
        traits = cls.class_traits(sync=True)
        out[(model_module, model_name)] = {k: traits[k].default() for k in CLASS_KEYS if k in traits}
    return out


def droppable(model: dict[str, Any], key: str, value: Any) -> bool:
    """Whether the manager restores ``key`` = ``value`` of this saved model by itself."""
    where = (model.get("model_module"), model.get("model_name"))
    known = class_defaults().get(where, {})
    return (key in known and value == known[key] and type(value) is type(known[key])) or \
        (where == LAYOUT and value is None)


def compact(manager_state: dict[str, Any]) -> dict[str, Any]:
    """The saved state without the attributes the manager restores by itself.

    >>> s = {"state": {"m": {"model_module": "@jupyter-widgets/base", "model_name": "LayoutModel",
    ...      "state": {"_model_name": "LayoutModel", "width": None, "height": "3em"}}}}
    >>> compact(s)["state"]["m"]["state"]
    {'height': '3em'}
    """
    state = {}
    for model_id, model in manager_state.get("state", {}).items():
        kept = {k: v for k, v in model.get("state", {}).items() if not droppable(model, k, v)}
        state[model_id] = {**model, "state": kept}
    return {**manager_state, "state": state}


def compact_page_state(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Rewrite the page's saved widget state script(s) (myst-nb's) without default values."""
    for script in context.get("script_files") or []:
        attributes = getattr(script, "attributes", None)
        if not attributes or attributes.get("type") != STATE_TYPE:
            continue
        body = json.dumps(compact(json.loads(attributes["body"])), separators=(",", ":"))
        attributes["body"] = body.replace("</", "<\\/")


def setup(app: Sphinx) -> dict:
    # after myst-nb has added the state (it does so while reading), before live_calculators (950)
    app.connect("html-page-context", compact_page_state, priority=940)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
