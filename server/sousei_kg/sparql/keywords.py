"""The words SPARQL 1.1 is written with: its keywords and built-in function names (§19.8), and
which of them begin an update. Used to tell a person which keyword a misspelt word was meant to
be, and that a text sent as a query is an update."""

from difflib import get_close_matches


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


QUERY_KEYWORDS: frozenset[str] = _words(
    """
    BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK DISTINCT REDUCED AS FROM NAMED WHERE GROUP BY
    HAVING ORDER ASC DESC LIMIT OFFSET VALUES OPTIONAL GRAPH SERVICE SILENT BIND UNDEF MINUS
    UNION FILTER NOT IN EXISTS TRUE FALSE A
    """
)
"""Keywords of the query grammar (``a`` and the booleans included: they are bare words too)."""

UPDATE_KEYWORDS: frozenset[str] = _words(
    """
    LOAD CLEAR DROP CREATE ADD MOVE COPY INSERT DELETE DATA WITH USING DEFAULT ALL INTO TO
    """
)
"""Keywords only the update grammar has."""

UPDATE_OPERATIONS: frozenset[str] = _words(
    "LOAD CLEAR DROP CREATE ADD MOVE COPY INSERT DELETE WITH"
)
"""The words an update operation begins with (after its prologue)."""

QUERY_FORMS: frozenset[str] = _words("SELECT CONSTRUCT DESCRIBE ASK")
"""The words a query begins with (after its prologue)."""

FUNCTIONS: frozenset[str] = _words(
    """
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY
    HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF
    STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT
    SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE
    LANGDIR HASLANG HASLANGDIR STRLANGDIR
    """
)
"""Built-in function names (SPARQL 1.1, and SPARQL 1.2's that pyoxigraph 0.5 reads)."""

AGGREGATES: frozenset[str] = _words("COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT")
"""The aggregate functions: a SELECT using one groups its solutions."""

ALL_WORDS: frozenset[str] = QUERY_KEYWORDS | UPDATE_KEYWORDS | FUNCTIONS
"""Every bare word SPARQL knows, upper case."""

_SPELLING_CANDIDATES = sorted(w for w in QUERY_KEYWORDS | UPDATE_KEYWORDS | FUNCTIONS if len(w) > 2)


def is_known(word: str) -> bool:
    """Whether ``word`` (any case) is a keyword or function name of SPARQL."""
    return word.upper() in ALL_WORDS


def nearest_keyword(word: str) -> str | None:
    """The keyword or function name ``word`` most likely misspells (``SELEC`` → ``SELECT``,
    ``ORDR`` → ``ORDER``), or ``None`` if none is close. Words of two letters or fewer are never
    corrected: too many keywords are one edit away from them."""
    upper = word.upper()
    if len(upper) < 3 or upper in ALL_WORDS:
        return None
    found = get_close_matches(upper, _SPELLING_CANDIDATES, n=1, cutoff=0.75)
    return found[0] if found else None
