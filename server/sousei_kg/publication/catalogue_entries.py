"""What the catalogue lists, as typed entries: data services and distributions, and the
deployment they are served from.

An entry holds only what differs between services (or files): titles, paths, standards, media
types. What every entry needs to conform to DCAT-AP 3.0.1 (publisher, contact point, licence,
access rights, themes, availability, each object typed) is added by :func:`add_service` and
:func:`add_distribution` for all of them alike, so a new service or file comes out conformant by
construction; ``tests/publication/test_dcat_ap.py`` checks that with the EU's own shapes.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from sousei_kg.config import Settings
from sousei_kg.namespaces import CANONICAL_BASE, ID
from sousei_kg.publication.controlled_terms import (
    AVAILABILITY,
    CC_BY,
    LANGUAGES,
    PUBLIC_ACCESS,
    THEMES,
    Agent,
    Concept,
    ContactPoint,
    Document,
    FileType,
    MediaType,
    Standard,
)
from sousei_kg.publication.description_builder import Description
from sousei_kg.publication.statistics import (
    CONTACT_POINT,
    DISTRIBUTION,
    PUBLISHER,
    integer,
    term,
)

PUBLISHER_AGENT = Agent(PUBLISHER, {"ja": "sousei-kg プロジェクト", "en": "The sousei-kg project"})
"""Who publishes the dataset and this catalogue: the project (never a government office)."""


@dataclass(frozen=True)
class Addresses:
    """The two bases the catalogue's URLs are built on, each ending in ``/``.

    Attributes:
        access: where clients fetch from (the SPARQL endpoint, the downloads): the public base
            URL if one is set, else the address the request reached.
        pages: the base of the pages harvesters keep as identifiers (the landing page, the
            homepage): the public base URL if one is set, else the dataset's own w3id.org base,
            never the request's ``Host``.
    """

    access: str
    pages: str


@dataclass(frozen=True)
class Deployment:
    """What the server's settings say about this deployment: its addresses, whom to contact and
    how long its files are planned to stay available."""

    addresses: Addresses
    contact: ContactPoint
    availability: Concept


def deployment_for(settings: Settings, access: str) -> Deployment:
    """This deployment as the settings describe it.

    Args:
        settings: the server's settings (public base URL, contact point, availability).
        access: the base URL the request reached (the public base URL when one is set).
    """
    pages = access if settings.public_base_url else CANONICAL_BASE
    contact = ContactPoint(CONTACT_POINT, settings.contact_name, settings.contact_url)
    return Deployment(
        Addresses(access, pages), contact, AVAILABILITY[settings.planned_availability]
    )


@dataclass(frozen=True)
class DataService:
    """A service the catalogue lists (``dcat:DataService``).

    Attributes:
        slug: names the service: ``https://w3id.org/sousei-kg/id/service/{slug}``.
        titles: ``{language: title}``.
        descriptions: ``{language: what it offers}``.
        endpoint_path: its URL below the access base (``dcat:endpointURL``).
        description_path: the URL below the access base of a machine-readable description of
            the endpoint (``dcat:endpointDescription``: a Service Description, an OpenAPI or
            Hydra document).
        standards: the specifications it implements (``dcterms:conformsTo``).
        keywords: ``{language: keywords}``.
        document_path: the page below the access base that ``/id/service/{slug}`` redirects to.
    """

    slug: str
    titles: Mapping[str, str]
    descriptions: Mapping[str, str]
    endpoint_path: str
    description_path: str
    standards: tuple[Standard, ...]
    keywords: Mapping[str, tuple[str, ...]]
    document_path: str = "dataset"

    @property
    def iri(self) -> str:
        """The service's canonical IRI."""
        return f"{ID}service/{self.slug}"


@dataclass(frozen=True)
class Distribution:
    """A file (or other form) the dataset is offered in (``dcat:Distribution``).

    Attributes:
        slug: names it: ``https://w3id.org/sousei-kg/id/distribution/sousei-kg-{slug}``.
        title: its title (the file name).
        descriptions: ``{language: what it holds}``.
        path: its URL below the access base (``dcat:accessURL``, and ``dcat:downloadURL`` when
            ``downloadable``).
        media_type: what it is served as (``dcat:mediaType``).
        file_type: its type in the EU file-type table (``dcterms:format``).
        standard: the specification its content follows (``dcterms:conformsTo``).
        downloadable: whether ``path`` is the file itself rather than a page leading to it.
        compress_format: the compression, if the file is compressed (``dcat:compressFormat``).
        byte_size: its size in bytes, when known (``dcat:byteSize``).
        sha256: the SHA-256 of its bytes in hex, when known (``spdx:checksum``).
        access_service: the service it is served by, if any (``dcat:accessService``).
        documentation_path: the URL below the access base of a document describing its
            content, if any (``foaf:page``: a CSV's CSVW metadata).
    """

    slug: str
    title: str
    descriptions: Mapping[str, str]
    path: str
    media_type: MediaType
    file_type: FileType
    standard: Standard
    downloadable: bool = True
    compress_format: MediaType | None = None
    byte_size: int | None = None
    sha256: str | None = None
    access_service: DataService | None = None
    documentation_path: str | None = None

    @property
    def iri(self) -> str:
        """The distribution's canonical IRI."""
        return DISTRIBUTION + self.slug


def add_shared(out: Description, subject: NamedNode, deployment: Deployment) -> None:
    """What the dataset and every service share: publisher, contact point, licence, access
    rights and themes."""
    out.link(subject, "dcterms:publisher", PUBLISHER_AGENT)
    out.link(subject, "dcat:contactPoint", deployment.contact)
    out.link(subject, "dcterms:license", CC_BY)
    out.link(subject, "dcterms:accessRights", PUBLIC_ACCESS)
    for theme in THEMES:
        out.link(subject, "dcat:theme", theme)


def add_service(
    out: Description, service: DataService, dataset: NamedNode, deployment: Deployment
) -> NamedNode:
    """Describe ``service`` as a DCAT-AP data service serving ``dataset``; returns its node."""
    node = NamedNode(service.iri)
    access = deployment.addresses.access
    out.add(node, "rdf:type", term("dcat:DataService"))
    out.texts(node, "dcterms:title", service.titles)
    out.texts(node, "dcterms:description", service.descriptions)
    out.add(node, "dcat:endpointURL", NamedNode(access + service.endpoint_path))
    out.add(node, "dcat:endpointDescription", NamedNode(access + service.description_path))
    for standard in service.standards:
        out.link(node, "dcterms:conformsTo", standard)
    out.add(node, "dcat:servesDataset", dataset)
    add_shared(out, node, deployment)
    for language, words in service.keywords.items():
        for word in words:
            out.add(node, "dcat:keyword", Literal(word, language=language))
    return node


def add_distribution(out: Description, file: Distribution, deployment: Deployment) -> NamedNode:
    """Describe ``file`` as a DCAT-AP distribution; returns its node."""
    node = NamedNode(file.iri)
    url = NamedNode(deployment.addresses.access + file.path)
    out.add(node, "rdf:type", term("dcat:Distribution"))
    out.add(node, "dcterms:title", Literal(file.title))
    out.texts(node, "dcterms:description", file.descriptions)
    out.add(node, "dcat:accessURL", url)
    if file.downloadable:
        out.add(node, "dcat:downloadURL", url)
    out.link(node, "dcat:mediaType", file.media_type)
    out.link(node, "dcterms:format", file.file_type)
    if file.compress_format is not None:
        out.link(node, "dcat:compressFormat", file.compress_format)
    out.link(node, "dcterms:conformsTo", file.standard)
    out.link(node, "dcterms:license", CC_BY)
    out.link(node, "dcatap:availability", deployment.availability)
    for language in LANGUAGES:
        out.link(node, "dcterms:language", language)
    if file.byte_size is not None:
        out.add(node, "dcat:byteSize", integer(file.byte_size, "xsd:nonNegativeInteger"))
    if file.sha256 is not None:
        checksum = NamedNode(file.iri + "#sha256")
        out.add(node, "spdx:checksum", checksum)
        out.add(checksum, "rdf:type", term("spdx:Checksum"))
        out.add(checksum, "spdx:algorithm", term("spdx:checksumAlgorithm_sha256"))
        out.add(
            checksum, "spdx:checksumValue", Literal(file.sha256, datatype=term("xsd:hexBinary"))
        )
    if file.access_service is not None:
        out.add(node, "dcat:accessService", NamedNode(file.access_service.iri))
    if file.documentation_path is not None:
        out.link(node, "foaf:page", Document(deployment.addresses.access + file.documentation_path))
    return node
