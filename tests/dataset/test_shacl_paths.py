"""Paths as values: read from SHACL and SPARQL, inverted, walked, and their reads listed."""

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

from sousei_kg.dataset.shacl_paths import (
    EMPTY,
    Alternative,
    Read,
    Repeat,
    Sequence,
    Step,
    UnsupportedPathError,
    inverse,
    reads,
    shacl_path,
    sparql_path,
    then,
    walk,
)

EX = Namespace("http://example.org/")
P, Q = Step(EX.p), Step(EX.q)

CHAIN = Graph()
for subject, predicate, obj in [
    (EX.a, EX.p, EX.b),
    (EX.b, EX.p, EX.c),
    (EX.c, EX.q, EX.d),
    (EX.x, EX.q, EX.b),
]:
    CHAIN.add((subject, predicate, obj))


def test_then_flattens_and_drops_the_empty_path() -> None:
    assert then(EMPTY, P) == P
    assert then(P, EMPTY) == P
    assert then(Sequence((P, Q)), P) == Sequence((P, Q, P))


def test_inverse_reverses_sequences_and_flips_steps() -> None:
    assert inverse(Sequence((P, Q))) == Sequence((Step(EX.q, True), Step(EX.p, True)))
    assert inverse(Alternative((P, Q))) == Alternative((Step(EX.p, True), Step(EX.q, True)))
    assert inverse(Repeat(P, 1, True)) == Repeat(Step(EX.p, True), 1, True)
    assert inverse(inverse(Sequence((P, Repeat(Q, 0, False))))) == Sequence(
        (P, Repeat(Q, 0, False))
    )


@pytest.mark.parametrize(
    ("path", "starts", "expected"),
    [
        (P, {EX.a}, {EX.b}),
        (Step(EX.p, True), {EX.b}, {EX.a}),
        (Sequence((P, P, Q)), {EX.a}, {EX.d}),
        (Alternative((P, Step(EX.q, True))), {EX.b}, {EX.c, EX.x}),
        (Repeat(P, 0, True), {EX.a}, {EX.a, EX.b, EX.c}),
        (Repeat(P, 1, True), {EX.a}, {EX.b, EX.c}),
        (Repeat(P, 0, False), {EX.a}, {EX.a, EX.b}),
        (Step(None), {EX.c}, {EX.d}),
        (Step(None, True), {EX.b}, {EX.a, EX.x}),
        (EMPTY, {EX.a}, {EX.a}),
    ],
)
def test_walk(
    path: Step | Sequence | Alternative | Repeat, starts: set[object], expected: set[object]
) -> None:
    assert walk(CHAIN, starts, path) == expected  # type: ignore[arg-type]


def test_a_path_and_its_inverse_connect_the_same_pairs() -> None:
    path = Sequence((Repeat(P, 1, True), Q))
    for start in (EX.a, EX.b, EX.c):
        for end in walk(CHAIN, {start}, path):
            assert start in walk(CHAIN, {end}, inverse(path))


def test_reads_of_a_sequence_name_every_step_with_its_prefix() -> None:
    assert reads(Sequence((P, Step(EX.q, True)))) == {
        Read(EMPTY, EX.p, False),
        Read(P, EX.q, True),
    }


def test_reads_of_a_repetition_happen_after_any_number_of_steps() -> None:
    assert reads(Repeat(P, 1, True), prefix=Q) == {
        Read(Sequence((Q, Repeat(P, 0, True))), EX.p, False)
    }


def test_shacl_paths_are_read_from_the_shapes_graph() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:s1 sh:path ( ex:p [ sh:inversePath ex:q ] ) .
        ex:s2 sh:path [ sh:alternativePath ( ex:p [ sh:oneOrMorePath ex:q ] ) ] .
        ex:s3 sh:path [ sh:zeroOrMorePath ex:p ] .
        ex:s4 sh:path [ sh:zeroOrOnePath ex:p ] .
        ex:s5 sh:path [ ex:unknown ex:p ] .
        """,
        format="turtle",
    )

    def path_of(shape: str) -> object:
        node = shapes.value(EX[shape], SH.path)
        assert node is not None
        return shacl_path(shapes, node)

    assert path_of("s1") == Sequence((P, Step(EX.q, True)))
    assert path_of("s2") == Alternative((P, Repeat(Q, 1, True)))
    assert path_of("s3") == Repeat(P, 0, True)
    assert path_of("s4") == Repeat(P, 0, False)
    with pytest.raises(UnsupportedPathError):
        path_of("s5")


def test_sparql_paths_become_the_same_values() -> None:
    assert sparql_path(EX.p) == P
    assert sparql_path(InvPath(EX.p)) == Step(EX.p, True)
    assert sparql_path(SequencePath(EX.p, InvPath(EX.q))) == Sequence((P, Step(EX.q, True)))
    assert sparql_path(AlternativePath(EX.p, EX.q)) == Alternative((P, Q))
    assert sparql_path(MulPath(EX.p, "+")) == Repeat(P, 1, True)
    # A negated property set follows edges of (almost) any predicate: "any" covers it.
    assert sparql_path(NegatedPath(EX.p)) == Alternative((Step(None), Step(None, True)))
