"""The public portal at ``/``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse

from userloop.web.context import NavItem, WebContext, render
from userloop.web.i18n import N_
from userloop.web.security import csrf_protect

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)


def install(app: FastAPI, web: WebContext) -> None:
    web.portal_nav.extend(
        [
            NavItem("submit", "/", N_("Report a problem")),
        ]
    )
    app.include_router(router)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "portal/submit.html", {})
