"""Find the math in Jupyter markdown the way JupyterLab does, so it can be test-rendered.

:func:`math_in_markdown` is a port of ``removeMath`` from JupyterLab's
``packages/rendermime/src/latex.ts``: the text is split on math delimiters, braces and
line breaks; math opens at ``$``, ``$$``, ``\\\\(``, ``\\\\[`` or ``\\begin{env}``, must
close with the matching delimiter with balanced braces, and never crosses a blank line.
``\\$`` is an escaped dollar. Fenced code blocks and code spans are masked first.

One addition: single-backslash ``\\(...\\)`` and ``\\[...\\]`` are extracted too. In a
markdown cell Jupyter only honours the doubled form (markdown eats one backslash), but a
single-backslash pair is almost always meant as math, so it is checked as well.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypedDict

# JupyterLab's MATHSPLIT, plus single-backslash \( \) \[ \] (after the doubled form).
_MATHSPLIT = re.compile(
    r"(\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n\s*)+"
    r"|\\\\[()\[\]]|\\[()\[\]])",
    re.IGNORECASE,
)
_FENCE = re.compile(
    r"^ {0,3}(?P<fence>`{3,}|~{3,})[^`\n]*\n[\s\S]*?(?:^ {0,3}(?P=fence)[`~]*[ \t]*$|\Z)",
    re.MULTILINE,
)
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)[^\n]*?[^`\n]\1(?!`)")
_CLOSE = {
    "$": "$",
    "$$": "$$",
    "\\\\(": "\\\\)",
    "\\\\[": "\\\\]",
    "\\(": "\\)",
    "\\[": "\\]",
}
# (opening delimiter, display?) -- the closing delimiter has the same length.
_KINDS = (
    ("$$", True),
    ("$", False),
    ("\\\\(", False),
    ("\\\\[", True),
    ("\\(", False),
    ("\\[", True),
)


class MathItem(TypedDict):
    """One expression to render: ``doc`` scopes ``\\newcommand`` to its notebook."""

    id: str
    tex: str
    display: bool
    doc: str


def _mask_code(text: str) -> str:
    """Blank out (length-preserving) fenced code blocks, then code spans."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", "_", match.group())

    return _CODE_SPAN.sub(blank, _FENCE.sub(blank, text))


def _math_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each math block, delimiters included."""
    tokens = list(_MATHSPLIT.finditer(_mask_code(text)))
    spans: list[tuple[int, int]] = []
    start: int | None = None
    last: int | None = None
    end = ""
    braces = 0
    i = 0
    while i < len(tokens):
        token = tokens[i].group()
        if start is not None:
            if token == end:
                if braces:
                    last = i
                else:
                    spans.append((tokens[start].start(), tokens[i].end()))
                    start, last = None, None
            elif re.search(r"\n.*\n", token):  # a blank line ends the paragraph
                if last is not None:
                    spans.append((tokens[start].start(), tokens[last].end()))
                    i = last
                start, last, braces = None, None, 0
            elif token == "{":
                braces += 1
            elif token == "}" and braces:
                braces -= 1
        elif token in _CLOSE:
            start, end, braces = i, _CLOSE[token], 0
        elif token[1:6] == "begin":
            start, end, braces = i, "\\end" + token[6:], 0
        i += 1
    if start is not None and last is not None:
        spans.append((tokens[start].start(), tokens[last].end()))
    return spans


def math_in_markdown(text: str) -> list[tuple[str, bool]]:
    """Return ``(tex, display)`` for each math expression in a markdown cell, in order.

    ``tex`` has its delimiters removed, except ``\\begin{..}...\\end{..}`` which is kept
    whole (MathJax renders it as display math).
    """
    text = re.sub(r"\r\n?", "\n", text)
    found: list[tuple[str, bool]] = []
    for begin, end in _math_spans(text):
        math = text[begin:end]
        for opening, display in _KINDS:
            if math.startswith(opening):
                found.append((math[len(opening) : len(math) - len(opening)], display))
                break
        else:
            found.append((math, True))  # \begin{env} ... \end{env}
    return found


def notebook_math(path: str | Path, root: str | Path | None = None) -> list[MathItem]:
    """All math in a notebook's markdown cells, with ids ``<file>:cell<N>:<k>``.

    ``<file>`` is the path relative to ``root`` (if given and inside it, else the path
    as given), ``N`` the 0-based cell index and ``k`` the 0-based index of the
    expression within the cell. ``doc`` is ``<file>``.
    """
    path = Path(path)
    name = path.as_posix()
    if root is not None and path.resolve().is_relative_to(Path(root).resolve()):
        name = path.resolve().relative_to(Path(root).resolve()).as_posix()
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    items: list[MathItem] = []
    for n, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        for k, (tex, display) in enumerate(math_in_markdown(source)):
            items.append(
                {
                    "id": f"{name}:cell{n}:{k}",
                    "tex": tex,
                    "display": display,
                    "doc": name,
                }
            )
    return items
