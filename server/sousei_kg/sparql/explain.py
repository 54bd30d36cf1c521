"""A SPARQL error told to a person: what is wrong, in one sentence, with what to do, where it is
(line, column, the line itself and a caret), and the engine's own message as detail.

pyoxigraph reports every problem with a query as ``error at L:C: expected …``, where ``…`` is a
list of grammar alternatives (six lines of Unicode ranges for a missing prefix) and ``L:C`` is
where its parser gave up, often just past the mistake. This module reads the query text around
that place and recognises the mistakes people make most:

- a prefix used without its ``PREFIX`` line (offering the line when the prefix is one we know);
- a misspelt keyword (``SELEC``, ``ORDR BY``): the nearest keyword;
- an update (``INSERT``, ``DELETE``…) sent where a query is expected;
- a variable selected next to an aggregate without being grouped, and a ``SELECT (… AS ?x)``
  reusing a variable of the pattern;
- a group left open at the end of the text.

Anything else keeps the engine's list of expected tokens, trimmed of character ranges. It runs
only after the engine refused a text, so it costs nothing on the way of a query that parses;
it reads the text with the lexer (whose words the guard already computed and remembered) and small
regular expressions, never a second parser.
"""

import itertools
import re
from difflib import get_close_matches

from sousei_kg.namespaces import KNOWN_PREFIXES
from sousei_kg.sparql import terminals
from sousei_kg.sparql.keywords import (
    AGGREGATES,
    QUERY_FORMS,
    UPDATE_OPERATIONS,
    is_known,
    nearest_keyword,
)
from sousei_kg.sparql.lexer import LexerError, Word, words
from sousei_kg.sparql.query_problem import (
    TITLES,
    ProblemKind,
    QueryProblem,
    display_width,
)

__all__ = ["TITLES", "ProblemKind", "QueryProblem", "display_width", "explain"]


def explain(
    text: str,
    line: int | None,
    column: int | None,
    engine_message: str,
    *,
    where_updates_go: str,
) -> QueryProblem:
    """Explain the engine's refusal of ``text`` (a query) at ``line``:``column``.

    Args:
        text: the query as sent.
        line: the engine's 1-based line, if it gave one.
        column: the engine's 1-based column.
        engine_message: what the engine said after ``error at L:C:``.
        where_updates_go: the sentence telling where an update can be sent instead (this server's
            ``/update``, or that it takes none), for a text that is an update.
    """
    lines = _LINE_END.split(text)

    def problem(
        kind: ProblemKind,
        summary: str,
        at: tuple[int, int] | None = None,
        suggestion: str | None = None,
    ) -> QueryProblem:
        where_line, where_column = at if at is not None else (line, column)
        source = None
        if where_line is not None and 1 <= where_line <= len(lines):
            source = lines[where_line - 1]
        return QueryProblem(
            kind, summary, where_line, where_column, source, engine_message, suggestion
        )

    found = _words(text)
    operation = _first_operation(found)
    if operation is not None and operation.text in UPDATE_OPERATIONS:
        return problem(
            "update-as-query",
            f"this is a SPARQL Update ({operation.text}), not a query; {where_updates_go}",
            _position(text, operation.start),
        )
    missing = None
    if "Prefix not found" in engine_message and line is not None and column is not None:
        missing = _missing_prefix(text, lines, line, column)
    if missing is not None:
        summary, at, suggestion = missing
        return problem("missing-prefix", summary, at, suggestion)
    if "The SELECT contains a variable that is unbound" in engine_message:
        summary, offset = _ungrouped(text, found)
        return problem("ungrouped-variable", summary, _at(text, offset))
    if "The SELECT overrides an existing variable" in engine_message:
        summary, offset = _rebound(text, found)
        return problem("rebound-variable", summary, _at(text, offset))
    if (misspelt := _misspelt(text, found, _offset(text, line, column))) is not None:
        word, nearest = misspelt
        original = text[word.start : word.start + len(word.text)]
        summary = f"{original} is not a SPARQL keyword" + (
            f"; did you mean {nearest}?" if nearest else ""
        )
        return problem("misspelt-keyword", summary, _position(text, word.start), nearest)
    if (unclosed := _unclosed_group(text, line, column)) is not None:
        return problem("unclosed-group", *unclosed)
    return problem("syntax", _expected(engine_message))


_LINE_END = re.compile(r"\r\n|\r|\n")


def _words(text: str) -> tuple[Word, ...]:
    try:
        return tuple(w for w in words(text) if not w.inside_name)
    except LexerError:
        return ()


def _first_operation(found: tuple[Word, ...]) -> Word | None:
    """The word after the prologue (``PREFIX``/``BASE`` declarations): the query form or the
    update operation."""
    for word in found:
        if word.text not in ("PREFIX", "BASE"):
            return word
    return None


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` (a line ends at LF, CR or CRLF, as
    :meth:`str.splitlines` and the engine count them)."""
    before = text[:offset]
    line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
    return len(_LINE_END.findall(before)) + 1, offset - line_start + 1


def _at(text: str, offset: int | None) -> tuple[int, int] | None:
    return None if offset is None else _position(text, offset)


def _offset(text: str, line: int | None, column: int | None) -> int | None:
    """The offset in the text of ``line``:``column`` (``None`` if there is no such line)."""
    if line is None or column is None or line < 1:
        return None
    starts = [0, *(m.end() for m in _LINE_END.finditer(text))]
    return starts[line - 1] + column - 1 if line <= len(starts) else None


_PREFIXED_NAME = re.compile(r"(?<![\w\-.:<?$@\\/])([A-Za-z][\w\-.]*)?:(?![/:])[\w\-.%:]*")
_DECLARATION = re.compile(r"PREFIX\s+([A-Za-z][\w\-.]*)?:\s*<([^>\s]*)>", re.IGNORECASE)


def _missing_prefix(
    text: str, lines: list[str], line: int, column: int
) -> tuple[str, tuple[int, int], str | None] | None:
    """The undeclared prefix the engine stopped at: its summary, place and ``PREFIX`` line."""
    if not 1 <= line <= len(lines):
        return None
    source = lines[line - 1]
    candidates = [m for m in _PREFIXED_NAME.finditer(source) if m.start() < column]
    if not candidates:
        return None
    name = candidates[-1].group(1) or ""
    at = (line, candidates[-1].start() + 1)
    declared = {m.group(1) or "": m.group(2) for m in _DECLARATION.finditer(text)}
    if name in KNOWN_PREFIXES:
        declaration = f"PREFIX {name}: <{KNOWN_PREFIXES[name]}>"
        return (
            f"the prefix {name}: is not declared; add this line before the query: {declaration}",
            at,
            declaration,
        )
    close = get_close_matches(name, [*declared, *KNOWN_PREFIXES], n=1, cutoff=0.6)
    if close:
        return (
            f"the prefix {name}: is not declared; did you mean {close[0]}:?",
            at,
            close[0] + ":",
        )
    return (
        f"the prefix {name}: is not declared; declare it before the query with "
        f"PREFIX {name}: <namespace IRI>",
        at,
        None,
    )


def _misspelt(text: str, found: tuple[Word, ...], error_at: int | None) -> tuple[Word, str] | None:
    """The unknown bare word nearest before the engine's position (else the first one), and the
    keyword it most likely misspells (empty when none is close)."""
    unknown = [
        w
        for w in found
        if not is_known(w.text) and not (w.start and text[w.start - 1] in "0123456789.")
    ]
    if not unknown:
        return None
    before = [w for w in unknown if error_at is None or w.start <= error_at]
    word = before[-1] if before else unknown[0]
    return word, nearest_keyword(word.text) or ""


_VARIABLE = re.compile(r"[?$]([\w\u00b7\u00c0-\U0010ffff]+)")
_CLAUSE_END = re.compile(r"\b(?:HAVING|ORDER|LIMIT|OFFSET|VALUES)\b|\}", re.IGNORECASE)


def _select_clause(text: str, found: tuple[Word, ...]) -> tuple[int, str]:
    """The text between the top-level ``SELECT`` and its ``WHERE`` or ``{``, and its offset."""
    select = next((w for w in found if w.text == "SELECT" and w.braces == 0), None)
    if select is None:
        return 0, ""
    start = select.start + len("SELECT")
    rest = text[start:]
    end = re.search(r"\bWHERE\b|\bFROM\b|\{", rest, re.IGNORECASE)
    return start, rest[: end.start()] if end else rest


def _plain_projection(clause: str) -> list[tuple[int, str]]:
    """The variables a SELECT clause projects as they are (outside parentheses), with their
    offsets in the clause."""
    depth, plain = 0, []
    for match in re.finditer(r"[()]|[?$][\w\u00b7\u00c0-\U0010ffff]+", clause):
        piece = match.group(0)
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth = max(depth - 1, 0)
        elif depth == 0:
            plain.append((match.start(), piece[1:]))
    return plain


def _grouped(text: str, found: tuple[Word, ...]) -> set[str] | None:
    """The variables of the top-level ``GROUP BY``, or ``None`` without one."""
    group = next(
        (a for a, b in itertools.pairwise(found) if a.text == "GROUP" and b.text == "BY"),
        None,
    )
    if group is None:
        return None
    rest = text[group.start + len("GROUP") :]
    end = _CLAUSE_END.search(rest)
    return {m.group(1) for m in _VARIABLE.finditer(rest[: end.start()] if end else rest)}


def _ungrouped(text: str, found: tuple[Word, ...]) -> tuple[str, int | None]:
    """The sentence for a selected variable outside the groups, and the offset of the first."""
    start, clause = _select_clause(text, found)
    grouped = _grouped(text, found)
    offenders = [
        (at, v) for at, v in _plain_projection(clause) if grouped is None or v not in grouped
    ]
    names = " ".join(dict.fromkeys("?" + v for _, v in offenders)) or "a variable"
    first = offenders[0][1] if offenders else "x"
    offset = start + offenders[0][0] if offenders else None
    if grouped is None:
        aggregate = next((w.text for w in found if w.text in AGGREGATES), "an aggregate")
        return (
            f"the SELECT uses {aggregate}(…), which makes the solutions one group, so {names} "
            f"cannot be selected on its own: add GROUP BY {names}, or select it through an "
            f"aggregate such as (SAMPLE(?{first}) AS ?any_{first})"
        ), offset
    return (
        f"{names} is selected but neither grouped nor aggregated: add it to GROUP BY, or select "
        f"(SAMPLE(?{first}) AS ?any_{first})"
    ), offset


_BINDING = re.compile(r"\bAS\s+[?$]([\w\u00b7\u00c0-\U0010ffff]+)", re.IGNORECASE)


def _rebound(text: str, found: tuple[Word, ...]) -> tuple[str, int | None]:
    """The sentence for ``(… AS ?v)`` reusing a variable of the pattern, and its offset."""
    start, clause = _select_clause(text, found)
    pattern_vars = {m.group(1) for m in _VARIABLE.finditer(text, start + len(clause))}
    bound = list(_BINDING.finditer(clause))
    reused = next((m for m in bound if m.group(1) in pattern_vars), bound[0] if bound else None)
    name = reused.group(1) if reused else "x"
    return (
        f"(… AS ?{name}) names a variable the pattern already binds; give the expression a "
        f"new name, such as (… AS ?{name}2)"
    ), (start + reused.start() if reused else None)


def _unclosed_group(
    text: str, line: int | None, column: int | None
) -> tuple[str, tuple[int, int]] | None:
    """When the engine stopped at the end of the text with a ``{`` still open: the summary and
    the place of that ``{``."""
    at_end = _offset(text, line, column)
    if at_end is None or at_end < len(text.rstrip()):
        return None
    open_at = _last_unclosed_brace(text)
    if open_at is None:
        return None
    where = _position(text, open_at)
    return (
        f"the query ends before the {{ on line {where[0]}, column {where[1]} is closed: add }}",
        where,
    )


def _last_unclosed_brace(text: str) -> int | None:
    """The offset of the innermost ``{`` left open, skipping comments, strings and IRIs."""
    stack: list[int] = []
    i, n = 0, len(text)
    try:
        while i < n:
            char = text[i]
            if char == "#":
                i = terminals.comment_end(text, i)
            elif char in "'\"":
                i = terminals.string_end(text, i)
            elif char == "<" and (iri := terminals.IRIREF.match(text, i)) is not None:
                i = iri.end()
            else:
                if char == "{":
                    stack.append(i)
                elif char == "}" and stack:
                    stack.pop()
                i += 1
    except LexerError:
        return None
    return stack[-1] if stack else None


_RANGE = re.compile(r"\[[^\]]*\]")


def _expected(engine_message: str) -> str:
    """The engine's ``expected …`` list without its character ranges, or a plain sentence when
    nothing readable is left."""
    message = engine_message.strip()
    if not message.startswith("expected"):
        return message.splitlines()[0] if message else "the query does not parse"
    listed = message.removeprefix("expected").removeprefix(" one of").strip()
    items = [i.strip() for i in _RANGE.sub("", listed.replace("\n", " ")).split(",")]
    kept = [i for i in items if i and i != "[_]"]
    forms = [i for i in kept if i in QUERY_FORMS]
    if not kept or (forms and len(forms) == len(kept)):
        return "the query does not parse here"
    return "the parser expected " + (kept[0] if len(kept) == 1 else "one of " + ", ".join(kept))
