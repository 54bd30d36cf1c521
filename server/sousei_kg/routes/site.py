"""What every site has besides its content: the icon browsers ask for, and the page documenting
the kinds of problem an error answer names (its problem-details ``type``).

Pages link ``static/favicon.svg``; ``/favicon.ico`` answers clients that ask for an icon by that
name without reading a page (without it, each such request is a 404 in the log and the console).
"""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from sousei_kg.http.deps import SettingsDep, public_base
from sousei_kg.http.pages import page_language, render
from sousei_kg.sparql.explain import TITLES

router = APIRouter(tags=["pages"])

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
ICON_MAX_AGE = 86_400
"""Seconds a browser may keep the icon without asking again (it changes with a release)."""


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """The site's icon as an ICO (a 32 by 32 PNG inside; ``scripts/make-favicon`` draws it)."""
    return FileResponse(
        STATIC / "favicon.ico",
        media_type="image/vnd.microsoft.icon",
        headers={"Cache-Control": f"max-age={ICON_MAX_AGE}"},
    )


@router.get("/problems", summary="The kinds of SPARQL problem error answers name")
def problems(request: Request, settings: SettingsDep) -> Response:
    """What each problem ``type`` of an error answer (``…/problems#missing-prefix``) means, and
    what to do about it: where a problem-details document's ``type`` leads."""
    lang = page_language(request)
    return render(
        request,
        "problems.html",
        lang=lang,
        public_base=public_base(request, settings),
        titles=TITLES,
    )
