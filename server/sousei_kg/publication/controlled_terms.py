"""What the catalogue links to, each typed as DCAT-AP 3.0.1 expects, and the controlled
vocabularies it prefers.

Every class here is a :class:`~sousei_kg.publication.description_builder.Described`: linking to
one adds its type and label to the description, which is what DCAT-AP's range shapes check
(``dcterms:conformsTo`` → ``dcterms:Standard``, ``dcat:theme`` → ``skos:Concept``…).

The EU Publications Office authority tables (data themes, languages, countries, file types,
planned availability, access rights) and the IANA media-type register are named by IRI only:
nothing is fetched from them, and the labels given are the tables' own English labels, which
DCAT-AP requires of a ``skos:Concept`` (``skos:prefLabel``).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from pyoxigraph import Literal, NamedNode

from sousei_kg.publication.description_builder import Description
from sousei_kg.publication.statistics import LICENSE, term

IANA = "https://www.iana.org/assignments/media-types/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


@dataclass(frozen=True)
class Standard:
    """A specification something conforms to (``dcterms:conformsTo``)."""

    iri: str
    title: str

    @property
    def node(self) -> NamedNode:
        """The specification's IRI."""
        return NamedNode(self.iri)

    def describe(self, out: Description) -> None:
        """Type it ``dcterms:Standard``, with its title."""
        out.add(self.node, "rdf:type", term("dcterms:Standard"))
        out.add(self.node, "dcterms:title", Literal(self.title, language="en"))


@dataclass(frozen=True)
class MediaType:
    """A media type of the IANA register (``dcat:mediaType``, ``dcat:compressFormat``)."""

    name: str
    """The registered name (``text/turtle``)."""

    @property
    def node(self) -> NamedNode:
        """The register's page of the type."""
        return NamedNode(IANA + self.name)

    def describe(self, out: Description) -> None:
        """Type it ``dcterms:MediaType``, labelled with its name."""
        out.add(self.node, "rdf:type", term("dcterms:MediaType"))
        out.add(self.node, "rdfs:label", Literal(self.name))


@dataclass(frozen=True)
class FileType:
    """A file type of the EU authority table (``dcterms:format``, which DCAT-AP recommends)."""

    code: str
    """The table's code (``RDF_TURTLE``)."""

    @property
    def node(self) -> NamedNode:
        """The table's IRI of the type."""
        return NamedNode(EU_AUTHORITY + "file-type/" + self.code)

    def describe(self, out: Description) -> None:
        """Type it ``dcterms:MediaTypeOrExtent`` (DCAT-AP's range of ``dcterms:format``)."""
        out.add(self.node, "rdf:type", term("dcterms:MediaTypeOrExtent"))
        out.add(self.node, "skos:notation", Literal(self.code))


@dataclass(frozen=True)
class ConceptScheme:
    """A controlled vocabulary (``dcat:themeTaxonomy``); DCAT-AP requires a title."""

    iri: str
    title: str

    @property
    def node(self) -> NamedNode:
        """The vocabulary's IRI."""
        return NamedNode(self.iri)

    def describe(self, out: Description) -> None:
        """Type it ``skos:ConceptScheme``, with its title."""
        out.add(self.node, "rdf:type", term("skos:ConceptScheme"))
        out.add(self.node, "dcterms:title", Literal(self.title, language="en"))


@dataclass(frozen=True)
class Concept:
    """A term of a controlled vocabulary (a theme, an availability, a licence type)."""

    iri: str
    label: str
    scheme: ConceptScheme | None = None

    @property
    def node(self) -> NamedNode:
        """The term's IRI."""
        return NamedNode(self.iri)

    def describe(self, out: Description) -> None:
        """Type it ``skos:Concept``, with the ``skos:prefLabel`` DCAT-AP requires."""
        out.add(self.node, "rdf:type", term("skos:Concept"))
        out.add(self.node, "skos:prefLabel", Literal(self.label, language="en"))
        if self.scheme is not None:
            out.link(self.node, "skos:inScheme", self.scheme)


@dataclass(frozen=True)
class AuthorityTerm:
    """A term of an EU authority table, typed as DCAT-AP's range of the property that links it
    (a language is a ``dcterms:LinguisticSystem``, a country a ``dcterms:Location``)."""

    iri: str
    rdf_class: str
    """The class, as a prefixed name (``dcterms:Location``)."""
    label: str

    @property
    def node(self) -> NamedNode:
        """The term's IRI."""
        return NamedNode(self.iri)

    def describe(self, out: Description) -> None:
        """Type it, with the table's English label."""
        out.add(self.node, "rdf:type", term(self.rdf_class))
        out.add(self.node, "skos:prefLabel", Literal(self.label, language="en"))


@dataclass(frozen=True)
class Licence:
    """A licence (``dcterms:license``): a ``dcterms:LicenseDocument`` with its ADMS type."""

    iri: str
    titles: Mapping[str, str]
    kind: Concept

    @property
    def node(self) -> NamedNode:
        """The licence's IRI."""
        return NamedNode(self.iri)

    def describe(self, out: Description) -> None:
        """Type it, with its titles and its licence type (``dcterms:type``)."""
        out.add(self.node, "rdf:type", term("dcterms:LicenseDocument"))
        out.texts(self.node, "dcterms:title", self.titles)
        out.link(self.node, "dcterms:type", self.kind)


@dataclass(frozen=True)
class Document:
    """A web page (``dcat:landingPage``, ``foaf:homepage``, ``foaf:page``): a ``foaf:Document``."""

    url: str
    titles: Mapping[str, str] = field(default_factory=dict)

    @property
    def node(self) -> NamedNode:
        """The page's URL."""
        return NamedNode(self.url)

    def describe(self, out: Description) -> None:
        """Type it ``foaf:Document``, with its titles if it has any."""
        out.add(self.node, "rdf:type", term("foaf:Document"))
        out.texts(self.node, "dcterms:title", self.titles)


@dataclass(frozen=True)
class Agent:
    """A publisher (``dcterms:publisher``): a ``foaf:Agent`` with the name DCAT-AP requires."""

    iri: str
    names: Mapping[str, str]

    @property
    def node(self) -> NamedNode:
        """The agent's IRI."""
        return NamedNode(self.iri)

    def describe(self, out: Description) -> None:
        """Type it ``foaf:Agent``, with its names."""
        out.add(self.node, "rdf:type", term("foaf:Agent"))
        out.texts(self.node, "foaf:name", self.names)


@dataclass(frozen=True)
class ContactPoint:
    """Whom to ask about this deployment (``dcat:contactPoint``): a vCard ``vcard:Kind`` with a
    name and a ``mailto:`` address (``vcard:hasEmail``) or a web page (``vcard:hasURL``)."""

    iri: str
    name: str
    url: str

    @property
    def node(self) -> NamedNode:
        """The contact point's IRI."""
        return NamedNode(self.iri)

    def describe(self, out: Description) -> None:
        """Type it ``vcard:Kind``, with its name and how to reach it."""
        out.add(self.node, "rdf:type", term("vcard:Kind"))
        out.add(self.node, "vcard:fn", Literal(self.name))
        how = "vcard:hasEmail" if self.url.startswith("mailto:") else "vcard:hasURL"
        out.add(self.node, how, NamedNode(self.url))


# --- The vocabularies DCAT-AP names, and the terms the catalogue uses from them ---------------

DATA_THEMES = ConceptScheme(EU_AUTHORITY + "data-theme", "Data theme")
THEMES = (
    Concept(EU_AUTHORITY + "data-theme/GOVE", "Government and public sector", DATA_THEMES),
    Concept(EU_AUTHORITY + "data-theme/REGI", "Regions and cities", DATA_THEMES),
)
"""The data themes of the dataset and its services (``dcat:theme``)."""

LANGUAGES = (
    AuthorityTerm(EU_AUTHORITY + "language/JPN", "dcterms:LinguisticSystem", "Japanese"),
    AuthorityTerm(EU_AUTHORITY + "language/ENG", "dcterms:LinguisticSystem", "English"),
)
"""The languages of the data and of the catalogue (the summary's Japanese, our English)."""

JAPAN = AuthorityTerm(EU_AUTHORITY + "country/JPN", "dcterms:Location", "Japan")
PUBLIC_ACCESS = AuthorityTerm(
    EU_AUTHORITY + "access-right/PUBLIC", "dcterms:RightsStatement", "public"
)

PLANNED_AVAILABILITY = ConceptScheme(EU_AUTHORITY + "planned-availability", "Planned availability")
Availability = TypingLiteral["temporary", "experimental", "available", "stable"]
AVAILABILITY: dict[Availability, Concept] = {
    key: Concept(f"{EU_AUTHORITY}planned-availability/{key.upper()}", key, PLANNED_AVAILABILITY)
    for key in ("temporary", "experimental", "available", "stable")
}
"""How long the distributions are planned to stay (``dcatap:availability``), by setting value."""

CC_BY = Licence(
    LICENSE,
    {
        "en": "Creative Commons Attribution 4.0 International",
        "ja": "クリエイティブ・コモンズ 表示 4.0 国際",
    },
    Concept("http://purl.org/adms/licencetype/Attribution", "Attribution"),
)

SPARQL_PROTOCOL = Standard("https://www.w3.org/TR/sparql11-protocol/", "SPARQL 1.1 Protocol")
SPARQL_QUERY = Standard("https://www.w3.org/TR/sparql11-query/", "SPARQL 1.1 Query Language")
VOCABULARY = Standard("https://w3id.org/sousei-kg/def", "The sousei-kg vocabulary")
GZIP = MediaType("application/gzip")
CSV = MediaType("text/csv")
CSV_FILE = FileType("CSV")
CSVW = Standard(
    "https://www.w3.org/TR/tabular-data-model/",
    "Model for Tabular Data and Metadata on the Web (CSVW)",
)
"""What the CSV tables conform to: CSV on the Web, whose metadata describes each of them."""
