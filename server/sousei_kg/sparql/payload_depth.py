"""How deeply a graph sent to ``/store`` nests, found before any parser reads it.

pyoxigraph's parsers are recursive: JSON-LD nested 5,000 levels deep (50 KB) overflowed the
parser's stack and killed the process, and a 40 KB Turtle body of nested collections kept the
validator busy for minutes. Data in this dataset nests a few levels at most, so a body nested
deeper than the limit is refused before it is parsed.

Each syntax is scanned with one regular expression that matches only what can open or close a
level, and skips (in C, whole) what cannot: strings, IRIs and comments. The scan is linear in the
body and never recurses. A syntax error the scan runs into (an unterminated string) is left to the
parser, which reports it with its position; the scan never accepts a deeper nesting because of it,
since what it cannot read it does not count as closed.
"""

import re

# Every pattern matches whatever it starts (possessively, with the closing delimiter optional):
# a string, comment or tag that is never closed runs to the end of its line or of the body, as
# the parser reads it too, and no position is ever retried. Backtracking into a failed string was
# quadratic: 200 KB of ``'\\'\\'…`` took minutes.

# Turtle, N-Triples (and their RDF 1.2 triple terms): collections, blank-node property lists and
# quoted triples open levels; long and short strings, IRIs and comments are skipped.
_TURTLE_TOKENS = re.compile(
    rb'"""(?:[^"\\]++|\\.|"(?!""))*+(?:"""|\Z)'
    rb"|'''(?:[^'\\]++|\\.|'(?!''))*+(?:'''|\Z)"
    rb'|"(?:[^"\\\n\r]++|\\.)*+"?'
    rb"|'(?:[^'\\\n\r]++|\\.)*+'?"
    rb"|<<\(?|\)?>>"
    rb"|<[^<>\"{}|^`\\\x00-\x20]*+>"
    rb"|#[^\n\r]*+"
    rb"|[\[\]()]",
    re.DOTALL,
)
# JSON-LD: objects and arrays open levels; strings are skipped.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)
# RDF/XML: elements open levels (an empty element does not); comments, CDATA, processing
# instructions and declarations are skipped, and a tag is read whole (its attribute values may
# hold '>').
_XML_TOKENS = re.compile(
    rb"<!--(?:[^-]++|-(?!->))*+(?:-->)?"
    rb"|<!\[CDATA\[(?:[^\]]++|\](?!\]>))*+(?:\]\]>)?"
    rb"|<\?(?:[^?]++|\?(?!>))*+(?:\?>)?"
    rb"|<(?:[^>\"']++|\"[^\"]*+\"?|'[^']*+'?)*+>?",
    re.DOTALL,
)

_OPENERS = {b"[", b"(", b"{", b"<<", b"<<("}
_CLOSERS = {b"]", b")", b"}", b">>", b")>>"}


def nesting_depth(body: bytes, family: str) -> int:
    """The deepest nesting of ``body``, written in ``family`` (``turtle``, ``json`` or ``xml``)."""
    if family == "xml":
        return _xml_depth(body)
    pattern = _JSON_TOKENS if family == "json" else _TURTLE_TOKENS
    depth = deepest = 0
    for match in pattern.finditer(body):
        token = match.group(0)
        if token in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token in _CLOSERS:
            depth = max(depth - 1, 0)
    return deepest


def _xml_depth(body: bytes) -> int:
    depth = deepest = 0
    for match in _XML_TOKENS.finditer(body):
        token = match.group(0)
        if token.startswith((b"<!", b"<?")) or token.endswith(b"/>"):
            continue
        if token.startswith(b"</"):
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest
