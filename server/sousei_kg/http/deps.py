"""FastAPI dependencies as ``Annotated`` aliases: what a route needs, and where it comes from."""

from typing import Annotated

from fastapi import Depends, Request

from sousei_kg.config import Settings
from sousei_kg.dataset.knowledge_graph import KnowledgeGraph

# Both are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in its thread pool,
# which cost every request two thread hops (~0.1 ms each) for an attribute lookup.


async def get_knowledge_graph(request: Request) -> KnowledgeGraph:
    """The graph opened by the app's lifespan."""
    graph: KnowledgeGraph = request.app.state.knowledge_graph
    return graph


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


GraphDep = Annotated[KnowledgeGraph, Depends(get_knowledge_graph)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def public_base(request: Request, settings: Settings) -> str:
    """The base URL users reach this server at, ending in ``/``."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/") + "/"
    return str(request.base_url)
