"""The web UI (Chinese): sign-in and the pages for uploaders, reviewers, search and publicity staff.

Pages are server-rendered shells (Jinja2 templates in ``api/web/templates``) that vanilla JS modules
(``api/web/static``) fill from the JSON API under ``/api`` — the same routes, checks and errors a program
uses; the UI has no data routes of its own. Every asset ships with jili, nothing is fetched from the
internet (a Content-Security-Policy of ``'self'`` says so to the browser). Signing in stores the pasted
token in the HttpOnly cookie ``jili_token``, which the API accepts as well as ``Authorization: Bearer``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from api.deps import COOKIE, StoreDep, Viewer
from api.pages import HOME, ROLE_NAMES, pages_for
from index.access import check_document, check_measure
from index.auth import Principal, Role, authenticate
from index.evidence import declared_region_count
from index.store import NotFoundError
from ingest.errors import JiliError

WEB_DIR = Path(__file__).with_name("web")
COOKIE_MAX_AGE = 12 * 3600  # one working day; signing out clears it earlier
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=WEB_DIR / "templates")


def _safe_next(target: str | None) -> str | None:
    """Only a path inside the UI is a place to go after sign-in (no open redirect)."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def page(request: Request, template: str, who: Principal | None, status: int = 200, **context) -> Response:
    response = templates.TemplateResponse(request, template, {
        "who": who, "role_name": ROLE_NAMES.get(who.role) if who else None,
        "pages": pages_for(who) if who else [], "active": context.pop("active", None), **context,
    }, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(request: Request, who: Principal | None, exc: JiliError, active: str | None) -> Response:
    """A typed error as a page: the same statuses as the API (unknown measure 404, not led 403)."""
    if isinstance(exc, NotFoundError):
        message = "没有这项激励措施。" if exc.code == "unknown_measure" else "没有这份文件，或您无权查看。"
        return page(request, "error.html", who, 404, title="未找到", message=message, active=active)
    return page(request, "error.html", who, 403, title="无权访问", message="您的角色不能打开此页面。", active=active)


def guard(request: Request, who: Principal | None, key: str) -> Response | None:
    """A redirect to sign-in, a 403 page, or None when the principal may open the page."""
    if who is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/ui/login?next={quote(target)}", status_code=303)
    if key not in {p["key"] for p in pages_for(who)}:
        return page(request, "error.html", who, 403, title="无权访问", message="您的角色不能打开此页面。", active=None)
    return None


@router.get("/")
def root():
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui")
@router.get("/ui/")
def ui_home(who: Viewer):
    return RedirectResponse(HOME[who.role] if who else "/ui/login", status_code=303)


@router.get("/ui/login")
def login_page(request: Request, who: Viewer, next: str | None = None):
    return page(request, "login.html", who, next=_safe_next(next) or "", error=None, active="login")


@router.post("/ui/login")
def login(request: Request, store: StoreDep, token: str = Form("", max_length=500), next: str = Form("")):
    token = token.strip()
    who = authenticate(store, token)
    if who is None:
        return page(request, "login.html", None, 401, next=_safe_next(next) or "", active="login",
                    error="令牌无效或已被吊销，请核对后重新粘贴。")
    response = RedirectResponse(_safe_next(next) or HOME[who.role], status_code=303)
    response.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return response


@router.post("/ui/logout")
def logout():
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/ui/upload")
def upload_page(request: Request, who: Viewer):
    return guard(request, who, "upload") or page(request, "upload.html", who, active="upload",
                                                 max_upload_bytes=request.app.state.settings.max_upload_bytes)


@router.get("/ui/review")
def review_page(request: Request, who: Viewer):
    return guard(request, who, "review") or page(request, "review.html", who, active="review")


@router.get("/ui/review/{measure}")
def measure_page(request: Request, measure: str, store: StoreDep, who: Viewer):
    if (refused := guard(request, who, "review")) is not None:
        return refused
    try:
        number = int(measure) if measure.isdigit() and len(measure) <= 3 else 0
        row = check_measure(store, who, number)
    except JiliError as exc:
        return error_page(request, who, exc, "review")
    return page(request, "measure.html", who, active="review", measure=row,
                declared_regions=declared_region_count(store, number))


@router.get("/ui/documents/{document_id}")
def document_page(request: Request, document_id: str, store: StoreDep, who: Viewer):
    if who is None:
        return guard(request, who, "search")
    try:
        row = check_document(store, who, document_id[:100])
    except JiliError as exc:
        return error_page(request, who, exc, None)
    return page(request, "document.html", who, active=None, document=row,
                page_images=who.role is not Role.PUBLICITY and row["format"] == "pdf")


@router.get("/ui/search")
def search_page(request: Request, who: Viewer):
    return guard(request, who, "search") or page(request, "search.html", who, active="search")


@router.get("/ui/experiences")
def experiences_page(request: Request, who: Viewer):
    return guard(request, who, "experiences") or page(request, "experiences.html", who, active="experiences")


def mount_web(app: FastAPI) -> None:
    """Add the UI's pages and static files to the app."""
    app.mount("/ui/static", StaticFiles(directory=WEB_DIR / "static"), name="ui-static")
    app.include_router(router)
