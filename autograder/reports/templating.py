"""The Jinja2 environment of the kit's HTML pages: templates in ``templates/``, autoescaped."""

from __future__ import annotations

import html
from functools import cache

import jinja2
from markupsafe import Markup

TEMPLATES = "templates"


def general(number: float) -> str:
    """A number as ``format(number, "g")`` writes it: 10.0 -> "10", 0.5 -> "0.5"."""
    return format(number, "g")


def escaped(value: object) -> object:
    """Every value escaped as ``html.escape`` does (``'`` as ``&#x27;``), markup kept as is.

    Jinja's autoescape would write ``&#39;``: the same HTML, other bytes. Pages keep the
    bytes they always had, so the same results give the same page.
    """
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value)))


@cache
def environment() -> jinja2.Environment:
    """One environment for every page: HTML autoescaped, undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("autograder.reports", TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "html.j2"], default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=escaped,
    )
    env.filters["g"] = general
    return env


def render(template: str, **values: object) -> str:
    """The page ``template`` with ``values`` (every string autoescaped)."""
    return environment().get_template(template).render(**values)
