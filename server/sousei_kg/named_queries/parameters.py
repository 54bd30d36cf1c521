"""Typed parameters of named queries: what a header may declare, and how a request value becomes
an RDF term of the declared type (bound to the query with pyoxigraph ``substitutions``, never
pasted into its text). The server and the CLI cast values the same way, through this module."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode

from sousei_kg.namespaces import KNOWN_PREFIXES
from sousei_kg.store.readable import Term

XSD = "http://www.w3.org/2001/XMLSchema#"


PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


RESERVED_PARAMS = frozenset({"format", "lang"})
"""Request parameters the server itself reads (result format, page language)."""


_LANG_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


_INTEGER = re.compile(r"[+-]?\d+")


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _check_decimal(value: str) -> None:
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        raise InvalidOperation(value)
    Decimal(value)


def _check_double(value: str) -> None:
    if value not in ("INF", "-INF", "+INF", "NaN"):
        float(value)


def _matching(pattern: re.Pattern[str]) -> Callable[[str], object]:
    def check(value: str) -> None:
        if not pattern.fullmatch(value):
            raise ValueError(value)

    return check


# Lexical checks per XSD datatype (each raises ValueError); a header naming any other datatype is
# rejected at load time, so every accepted value is one the engine can compare and compute with.
XSD_CHECKS: dict[str, Callable[[str], object]] = {
    "string": str,
    "integer": _matching(_INTEGER),
    "decimal": _check_decimal,
    "double": _check_double,
    "float": _check_double,
    "date": date.fromisoformat,
    "dateTime": datetime.fromisoformat,
    "gYear": _matching(re.compile(r"-?\d{4,}")),
    "anyURI": _matching(_SCHEME),
}


BASE_TYPES = ("iri", "string", "langString", "integer", "boolean")

ShortKeyResolver = Callable[[str], str]
"""Turns a short key (``goal-2-kpi``, ``indicator/goal-2-kpi``) into the IRI of the resource it
names in the dataset, as the web pages do; raises ``LookupError`` with a sentence saying why it
cannot (none or several match). The HTTP layer and the CLI pass one built from the dataset."""


class ParameterError(ValueError):
    """A request's parameters do not fit the query's header (the HTTP layer answers 400).

    Args:
        param: the offending parameter name(s), for the message and for tests.
        message: what is wrong and what was expected.
    """

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(message)


@dataclass(frozen=True)
class QueryParam:
    """One bindable variable of a named query.

    Attributes:
        name: the variable name without ``?`` (also the request parameter name).
        type: ``iri``, ``string``, ``langString`` (``text@lang``), ``integer``, ``boolean`` or
            ``xsd:<datatype>``.
        required: a request without it gets 400.
        default: bound when the request omits the parameter (a raw string, cast like a value).
        example: a value that works on the shipped data (used in docs and the OpenAPI document).
        description: what the parameter restricts.
        enum: the only values allowed, if any.
    """

    name: str
    type: str
    required: bool = False
    default: str | None = None
    example: str | None = None
    description: str = ""
    enum: tuple[str, ...] = ()

    def cast(self, value: str, resolve: ShortKeyResolver | None = None) -> Term:
        """Turn a request value into an RDF term of the declared type. An IRI may also be given
        as a prefixed name of a known prefix (``sousei:Measure``, ``id:goal/2``) or, with
        ``resolve``, as a short key of a resource (``goal-2-kpi``).

        Raises:
            ParameterError: naming the parameter and the expected type, if ``value`` does not fit
                (or the short key names no single resource).
        """
        if self.enum and value not in self.enum:
            allowed = ", ".join(self.enum)
            raise ParameterError(
                self.name, f"parameter {self.name}: {value!r} is not one of {allowed}"
            )
        if self.type == "iri" and resolve is not None and is_short_key(value):
            try:
                value = resolve(value)
            except LookupError as error:
                raise ParameterError(self.name, f"parameter {self.name}: {error}") from None
        try:
            return self._cast(value)
        except (ValueError, KeyError, InvalidOperation) as error:
            raise ParameterError(
                self.name, f"parameter {self.name}: {value!r} is not a valid {self.type_hint}"
            ) from error

    @property
    def type_hint(self) -> str:
        """The expected type in words, for error messages."""
        return {
            "iri": "absolute IRI",
            "langString": "language-tagged string (text@lang)",
            "boolean": "boolean (true or false)",
        }.get(self.type, self.type)

    def _cast(self, value: str) -> Term:
        kind = self.type
        if kind == "iri":
            iri = value[1:-1] if value.startswith("<") and value.endswith(">") else value
            iri = expand_prefixed_name(iri)
            if not _SCHEME.fullmatch(iri):
                raise ValueError(iri)
            return NamedNode(iri)
        if kind == "string":
            return Literal(value)
        if kind == "langString":
            text, sep, lang = value.rpartition("@")
            if not sep or not _LANG_TAG.fullmatch(lang):
                raise ValueError(value)
            return Literal(text, language=lang.lower())
        if kind == "boolean":
            return Literal(_BOOLEANS[value.strip().lower()])
        datatype = "integer" if kind == "integer" else kind.removeprefix("xsd:")
        XSD_CHECKS[datatype](value.strip())
        if datatype == "integer":
            return Literal(int(value))
        return Literal(value.strip(), datatype=NamedNode(XSD + datatype))


def expand_prefixed_name(value: str) -> str:
    """``sousei:Measure`` → its IRI when the prefix is a known one (the editor's); anything else
    as it is (``https://…`` included: no known prefix is a URI scheme)."""
    prefix, sep, local = value.partition(":")
    if sep and prefix in KNOWN_PREFIXES and not local.startswith("//"):
        return KNOWN_PREFIXES[prefix] + local
    return value


def is_short_key(value: str) -> bool:
    """A value with no scheme and no brackets: a short key, not an IRI."""
    return bool(value) and not value.startswith("<") and ":" not in value
