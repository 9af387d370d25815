"""The web UI (Chinese): sign-in, upload, review, search and typical-experience pages over the JSON API.

Pages are server-rendered shells (Jinja2 templates in ``api/web/templates``) that vanilla JS modules
(``api/web/static``) fill from the JSON API; every asset ships with jili, nothing is fetched from the
internet (a Content-Security-Policy of ``'self'`` says so to the browser). Signing in stores the pasted
token in the HttpOnly cookie ``jili_token``, which the API accepts as well as ``Authorization: Bearer``.

It also owns what the UI needs and the API lacks, under ``/ui/…``, with the role rules of api/access.py
(reviewers: the measures they lead; uploaders: their region; publicity: cleared passages only):

- ``GET /ui/me``: who is signed in (role, region, lead units, led measures, pages)
- ``GET /ui/matrix``: region × measure counts
- ``GET /ui/deadlines``: the campaign's deadlines and the late declarations
- ``GET|PUT /ui/recommendations/{measure}``, ``GET …/export?format=xlsx|docx``: 推荐名单 per measure
- ``GET /ui/briefing``: a DOCX briefing of the selected typical experiences
- ``GET /ui/documents/{id}/passages/{pid}/boxes``: where a passage sits on its PDF pages (in points)
- ``GET /ui/reviews?passage=…``: the latest review state of passages
"""


import io
import json
import os
import re
import tempfile
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from api.access import Forbidden, Hidden, check_document, check_passage, measures_of, require
from index import Store, briefing_docx, evidence_for_measure, rank_experiences
from index.auth import Principal, Role, authenticate
from index.store import now

WEB_DIR = Path(__file__).with_name("web")
COOKIE = "jili_token"
COOKIE_MAX_AGE = 12 * 3600  # one working day; signing out clears it earlier
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
BEIJING = timezone(timedelta(hours=8))


def _beijing(stamp: str | None) -> str | None:
    """A stored UTC time as Beijing time for people: "2026-11-27 12:31（北京时间）"."""
    if not stamp:
        return None
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + "（北京时间）"

ROLE_NAMES = {Role.ADMIN: "管理员", Role.UPLOADER: "上传员", Role.REVIEWER: "审核员（牵头单位）",
              Role.PUBLICITY: "宣传人员"}
# (key, path, label, roles besides admin that may open it)
PAGES = [
    ("upload", "/ui/upload", "上传申报材料", {Role.UPLOADER}),
    ("review", "/ui/review", "审核", {Role.REVIEWER}),
    ("search", "/ui/search", "检索", {Role.UPLOADER, Role.REVIEWER, Role.PUBLICITY}),
    ("experiences", "/ui/experiences", "典型经验", {Role.REVIEWER, Role.PUBLICITY}),
]
HOME = {Role.ADMIN: "/ui/review", Role.UPLOADER: "/ui/upload", Role.REVIEWER: "/ui/review",
        Role.PUBLICITY: "/ui/experiences"}


class UiError(Exception):
    """An error of a /ui JSON route, answered like the API's: {"error": {"code", "message"}}."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def pages_for(principal: Principal) -> list[dict]:
    return [{"key": k, "path": p, "label": label} for k, p, label, roles in PAGES
            if principal.role is Role.ADMIN or principal.role in roles]


def _safe_next(target: str | None) -> str | None:
    """Only a path inside the UI is a place to go after sign-in (no open redirect)."""
    if target and target.startswith("/ui/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


# -- recommendation lists (推荐名单) ----------------------------------------------------------------------

class RecommendationItem(BaseModel):
    region: str = Field(min_length=1, max_length=60, description="a region that declared the measure")
    justification: str = Field(max_length=500, description="推荐理由, a short justification")
    passage_ids: list[int] = Field(default_factory=list, max_length=10, description="the evidence cited")


class RecommendationList(BaseModel):
    items: list[RecommendationItem] = Field(default_factory=list, max_length=100)


class RecommendationBook:
    """推荐名单 kept as one JSON file per measure under ``data_dir/recommendations``, written atomically.

    A file is replaced whole (write to a temporary file in the same directory, fsync, rename), so a
    reader never sees half a list and a crash leaves the previous one.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()

    def path(self, measure: int) -> Path:
        return self.directory / f"measure-{int(measure):02d}.json"

    def load(self, measure: int) -> dict:
        try:
            return json.loads(self.path(measure).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"measure": measure, "items": [], "updated_at": None, "updated_by": None}

    def save(self, measure: int, items: list[dict], *, by: str) -> dict:
        record = {"measure": measure, "items": items, "updated_at": now(), "updated_by": by}
        data = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path(measure))
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        return record


def _citation(row: dict) -> str:
    name = f"{row['filename']}!{row['archive_path']}" if row.get("archive_path") else row["filename"]
    pages = f"第{row['page']}页" if row["page"] == row["end_page"] else f"第{row['page']}–{row['end_page']}页"
    return f"{name}，{pages}"


def recommendation_rows(store: Store, measure: int, items: list[dict]) -> list[dict]:
    """The list's items with what the supervision office needs beside the reason: type, evidence, figures."""
    evidence = {r.region: r for r in evidence_for_measure(store, measure, passages_per_region=2,
                                                          figures_per_region=6).regions}
    rows = []
    for i, item in enumerate(items, start=1):
        ev = evidence.get(item["region"])
        cited = []
        if item.get("passage_ids"):
            marks = ",".join("?" * len(item["passage_ids"]))
            cited = [_citation(r) for r in store.db.query(
                "SELECT p.page, p.end_page, d.filename, d.archive_path FROM passages p JOIN documents d "
                f"ON d.id = p.document_id WHERE p.id IN ({marks}) ORDER BY p.id", item["passage_ids"])]
        elif ev is not None and ev.passages:
            docs = {d["id"]: d for d in ev.documents}
            for p in ev.passages[:2]:
                d = docs.get(p.document_id) or next(store.db.query(
                    "SELECT filename, archive_path FROM documents WHERE id = ?", [p.document_id]))
                cited.append(_citation({"filename": d["filename"], "archive_path": d.get("archive_path"),
                                        "page": p.page, "end_page": p.end_page}))
        figures = "；".join(f"{f.metric or ''}{f.raw}" for f in (ev.figures if ev else []) if not f.suspect)
        rows.append({"rank": i, "region": item["region"], "applicant_type": ev.applicant_type if ev else None,
                     "justification": item["justification"], "evidence": "；".join(cited), "figures": figures})
    return rows


REC_COLUMNS = [("rank", "序号", 6), ("region", "地区", 16), ("applicant_type", "申报主体类型", 14),
               ("justification", "推荐理由", 50), ("evidence", "主要依据（文件、页码）", 44),
               ("figures", "关键数据", 44)]


def recommendations_xlsx(title: str, rows: list[dict], footer: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "推荐名单"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REC_COLUMNS))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([label for _, label, _ in REC_COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.get(key) for key, _, _ in REC_COLUMNS])
    for i, (_, _, width) in enumerate(REC_COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append([footer])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def recommendations_docx(title: str, rows: list[dict], footer: str) -> bytes:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.add_heading(title, 0)
    table = d.add_table(rows=1, cols=len(REC_COLUMNS))
    table.style = "Table Grid"
    for cell, (_, label, _) in zip(table.rows[0].cells, REC_COLUMNS, strict=True):
        cell.text = label
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r in rows:
        cells = table.add_row().cells
        for cell, (key, _, _) in zip(cells, REC_COLUMNS, strict=True):
            cell.text = "" if r.get(key) is None else str(r[key])
    if not rows:
        d.add_paragraph("（名单为空）")
    run = d.add_paragraph().add_run(footer)
    run.font.size = Pt(10)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# -- deadlines and late declarations ----------------------------------------------------------------------

_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?")


def file_created(metadata: dict) -> date | None:
    """The date (Beijing time) the file says it was created: DOCX ``created`` or PDF ``CreationDate``.

    >>> file_created({"creationdate": "D:20230201093000+08'00'"})
    datetime.date(2023, 2, 1)
    >>> file_created({"created": "2023-01-31T20:00:00+00:00"})  # already 1 February in Chongqing
    datetime.date(2023, 2, 1)
    """
    raw = metadata.get("created") or metadata.get("creationdate") or metadata.get("CreationDate")
    if not raw:
        return None
    m = _PDF_DATE.match(raw)
    try:
        if m:
            y, mo, d, h, mi, s, tz = m.groups()
            stamp = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
            if tz and tz not in "Zz":
                sign = 1 if tz[0] == "+" else -1
                digits = tz[1:].replace("'", "")
                stamp = stamp.replace(tzinfo=timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))))
            elif tz:
                stamp = stamp.replace(tzinfo=UTC)
        else:
            stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.astimezone(BEIJING).date() if stamp.tzinfo else stamp.date()


def late_declarations(store: Store, deadline: date, year: int) -> list[dict]:
    """Documents of the campaign `year` whose file was created, or whose 成文日期 falls, after `deadline`."""
    out = []
    for row in store.db.query("SELECT id, filename, archive_path, region, doc_date, metadata, created_at "
                              "FROM documents WHERE campaign_year = ? OR campaign_year IS NULL ORDER BY region, filename",
                              [year]):
        created = file_created(json.loads(row["metadata"] or "{}"))
        try:
            written = date.fromisoformat(row["doc_date"]) if row["doc_date"] else None
        except ValueError:
            written = None
        reasons = []
        if written and written > deadline:
            reasons.append(f"成文日期 {written.isoformat()} 晚于截止日期")
        if created and created > deadline:
            reasons.append(f"文件创建于 {created.isoformat()}，晚于截止日期")
        if reasons:
            out.append({"document_id": row["id"], "filename": row["filename"], "archive_path": row["archive_path"],
                        "region": row["region"], "doc_date": row["doc_date"],
                        "created": created.isoformat() if created else None, "uploaded_at": row["created_at"],
                        "reasons": reasons})
    return out


# -- the region × measure matrix -------------------------------------------------------------------------

def region_measure_matrix(store: Store, measures: list[int] | None) -> dict:
    """Per region and measure: declaring documents, labelled passages, best score, eligibility."""
    cells: dict[str, dict[int, dict]] = {}
    types: dict[str, str | None] = {}
    for r in store.db.query(
            "SELECT d.region, d.applicant_type, dm.measure, COUNT(DISTINCT d.id) AS documents, MAX(dm.score) AS score, "
            "MAX(dm.eligible) AS eligible FROM document_measures dm JOIN documents d ON d.id = dm.document_id "
            "GROUP BY d.region, dm.measure"):
        region = r["region"] or "未识别"
        types.setdefault(region, r["applicant_type"])
        cells.setdefault(region, {})[r["measure"]] = {
            "documents": r["documents"], "passages": 0, "score": round(r["score"] or 0.0, 4),
            "eligible": None if r["eligible"] is None else bool(r["eligible"])}
    for r in store.db.query(
            "SELECT d.region, d.applicant_type, pl.measure, COUNT(*) AS n FROM passage_labels pl "
            "JOIN passages p ON p.id = pl.passage_id JOIN documents d ON d.id = p.document_id "
            "GROUP BY d.region, pl.measure"):
        region = r["region"] or "未识别"
        types.setdefault(region, r["applicant_type"])
        cell = cells.setdefault(region, {}).setdefault(r["measure"], {"documents": 0, "passages": 0, "score": 0.0,
                                                                       "eligible": None})
        cell["passages"] = r["n"]
    titles = {r["id"]: r["title"] for r in store.db.query("SELECT id, title FROM measures ORDER BY campaign_id")}
    columns = sorted(titles) if measures is None else [m for m in measures if m in titles]
    wanted = set(columns)
    regions = []
    for region in sorted(cells):
        row = {str(m): c for m, c in cells[region].items() if m in wanted}
        if row:
            regions.append({"region": region, "applicant_type": types.get(region), "cells": row})
    return {"measures": [{"id": m, "title": titles[m]} for m in columns], "regions": regions}


# -- passages on the page ----------------------------------------------------------------------------------

def passage_boxes(store: Store, passage: dict) -> dict:
    """The boxes (PDF points, top-left origin) of a passage's segments, page by page.

    The page size is not looked up here: the UI scales the boxes by the rendered page image (its
    pixels are points × the render scale), so this route never calls PDFium, which must not run in two
    request threads at once.
    """
    doc = store.document(passage["document_id"])
    span = next((s for s in doc.passages if s.id == passage["span_id"]), None)
    boxes = []
    if span is not None:
        wanted = set(span.segment_ids)
        for seg in doc.segments:
            if seg.id in wanted and seg.bbox is not None:
                boxes.append({"page": seg.page, "x0": seg.bbox.x0, "top": seg.bbox.top, "x1": seg.bbox.x1,
                              "bottom": seg.bbox.bottom})
    return {"passage_id": passage["id"], "page": passage["page"], "boxes": boxes}


# -- routes ------------------------------------------------------------------------------------------------

def mount_web(app: FastAPI, settings) -> None:
    """Add the UI's pages, static files and /ui JSON routes to the API app."""
    pool = app.state.store_pool  # the API's connection pool (create_app sets it before mounting the UI)
    templates = Jinja2Templates(directory=WEB_DIR / "templates")
    book = RecommendationBook(Path(settings.data_dir) / "recommendations")
    def campaign():
        from classify import load_campaign  # parsed once per file version by the catalog itself

        return load_campaign()

    get_store = pool.session

    def viewer(request: Request, store: Annotated[Store, Depends(get_store)]) -> Principal | None:
        """The signed-in principal, from the cookie (or a Bearer header, as the API accepts)."""
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(COOKIE)
        return authenticate(store, token)

    def signed_in(who: Annotated[Principal | None, Depends(viewer)]) -> Principal:
        if who is None:
            raise UiError(401, "unauthorized", "请先登录 / sign in with a token")
        return who

    Store_ = Annotated[Store, Depends(get_store)]
    Viewer = Annotated[Principal | None, Depends(viewer)]
    Who = Annotated[Principal, Depends(signed_in)]

    @app.exception_handler(UiError)
    async def _ui_error(request, exc: UiError):
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status)

    app.mount("/ui/static", StaticFiles(directory=WEB_DIR / "static"), name="ui-static")

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

    def guard(request: Request, who: Principal | None, key: str) -> Response | None:
        """A redirect to sign-in, a 403 page, or None when the principal may open the page."""
        if who is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/ui/login?next={quote(target)}", status_code=303)
        if key not in {p["key"] for p in pages_for(who)}:
            return page(request, "error.html", who, 403, title="无权访问",
                        message="您的角色不能打开此页面。", active=None)
        return None

    # -- sign-in -------------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/ui/", status_code=307)

    @app.get("/ui", include_in_schema=False)
    @app.get("/ui/", include_in_schema=False)
    def ui_home(who: Viewer):
        return RedirectResponse(HOME[who.role] if who else "/ui/login", status_code=303)

    @app.get("/ui/login", include_in_schema=False)
    def login_page(request: Request, who: Viewer, next: str | None = None):
        return page(request, "login.html", who, next=_safe_next(next) or "", error=None, active="login")

    @app.post("/ui/login", include_in_schema=False)
    def login(request: Request, store: Store_, token: str = Form("", max_length=500), next: str = Form("")):
        token = token.strip()
        who = authenticate(store, token)
        if who is None:
            return page(request, "login.html", None, 401, next=_safe_next(next) or "", active="login",
                        error="令牌无效或已被吊销，请核对后重新粘贴。")
        response = RedirectResponse(_safe_next(next) or HOME[who.role], status_code=303)
        response.set_cookie(COOKIE, token, max_age=COOKIE_MAX_AGE, httponly=True, samesite="strict", path="/",
                            secure=request.url.scheme == "https")
        return response

    @app.post("/ui/logout", include_in_schema=False)
    def logout():
        response = RedirectResponse("/ui/login", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    @app.get("/ui/me", include_in_schema=False)
    def me(store: Store_, who: Who):
        led = measures_of(store, who)
        return {"id": who.id, "name": who.name, "role": who.role.value, "role_name": ROLE_NAMES[who.role],
                "region": who.region, "lead_units": list(who.lead_units),
                "measures": list(led) if led is not None else None, "pages": pages_for(who)}

    # -- pages ---------------------------------------------------------------------------------------
    @app.get("/ui/upload", include_in_schema=False)
    def upload_page(request: Request, who: Viewer):
        return guard(request, who, "upload") or page(request, "upload.html", who, active="upload",
                                                     max_upload_bytes=settings.max_upload_bytes)

    @app.get("/ui/review", include_in_schema=False)
    def review_page(request: Request, who: Viewer):
        return guard(request, who, "review") or page(request, "review.html", who, active="review")

    @app.get("/ui/review/{measure}", include_in_schema=False)
    def measure_page(request: Request, measure: str, store: Store_, who: Viewer):
        if (refused := guard(request, who, "review")) is not None:
            return refused
        number = int(measure) if measure.isdigit() and len(measure) <= 2 else None
        row = next(store.db.query("SELECT id, title FROM measures WHERE id = ? ORDER BY campaign_id DESC LIMIT 1",
                                  [number]), None) if number else None
        if row is None:
            return page(request, "error.html", who, 404, title="未找到", message="没有这项激励措施。", active="review")
        led = measures_of(store, who)
        if led is not None and number not in led:
            return page(request, "error.html", who, 403, title="无权访问",
                        message="这项措施不由您的单位牵头。", active="review")
        return page(request, "measure.html", who, active="review", measure=row)

    @app.get("/ui/documents/{document_id}", include_in_schema=False)
    def document_page(request: Request, document_id: str, store: Store_, who: Viewer):
        if who is None:
            return guard(request, who, "search")
        try:
            row = check_document(store, who, document_id[:100])
        except Hidden:
            return page(request, "error.html", who, 404, title="未找到",
                        message="没有这份文件，或您无权查看。", active=None)
        return page(request, "document.html", who, active=None, document=row,
                    page_images=who.role is not Role.PUBLICITY and row["format"] == "pdf")

    @app.get("/ui/search", include_in_schema=False)
    def search_page(request: Request, who: Viewer):
        return guard(request, who, "search") or page(request, "search.html", who, active="search")

    @app.get("/ui/experiences", include_in_schema=False)
    def experiences_page(request: Request, who: Viewer):
        return guard(request, who, "experiences") or page(request, "experiences.html", who, active="experiences")

    # -- JSON the UI needs ---------------------------------------------------------------------------
    def check_measure(store: Store, who: Principal, measure: int) -> dict:
        require(who, Role.REVIEWER)
        led = measures_of(store, who)
        if led is not None and measure not in led:
            raise Forbidden(f"measure {measure} is not led by your unit")
        row = next(store.db.query("SELECT * FROM measures WHERE id = ? ORDER BY campaign_id DESC LIMIT 1", [measure]),
                   None)
        if row is None:
            raise Hidden(str(measure))
        return row

    @app.get("/ui/matrix", include_in_schema=False)
    def matrix(store: Store_, who: Who):
        require(who, Role.REVIEWER)
        led = measures_of(store, who)
        return region_measure_matrix(store, list(led) if led is not None else None)

    @app.get("/ui/deadlines", include_in_schema=False)
    def deadlines(store: Store_, who: Who):
        require(who, Role.REVIEWER, Role.UPLOADER)
        c = campaign()
        today = datetime.now(BEIJING).date()
        rows = [{"name": d.name, "date": d.date.isoformat(), "kind": d.kind.value, "text": d.text,
                 "days_left": (d.date - today).days} for d in sorted(c.deadlines, key=lambda d: d.date)]
        try:
            due = c.deadline("declaration").date
        except KeyError:
            return {"campaign": c.year, "title": c.title, "deadlines": rows, "declaration_deadline": None, "late": []}
        late = []
        for item in late_declarations(store, due, c.year):
            try:
                check_document(store, who, item["document_id"])
            except Hidden:
                continue
            item["measures"] = [r["measure"] for r in store.db.query(
                "SELECT measure FROM document_measures WHERE document_id = ? ORDER BY score DESC", [item["document_id"]])]
            late.append(item)
        return {"campaign": c.year, "title": c.title, "deadlines": rows, "declaration_deadline": due.isoformat(),
                "late": late}

    @app.get("/ui/recommendations/{measure}", include_in_schema=False)
    def get_recommendations(store: Store_, who: Who, measure: int = PathParam(ge=1, le=99)):
        row = check_measure(store, who, measure)
        evidence = evidence_for_measure(store, measure, passages_per_region=1, figures_per_region=0)
        return book.load(measure) | {"title": row["title"], "lead_units": json.loads(row["lead_units"]),
                                     "candidates": [{"region": r.region, "applicant_type": r.applicant_type,
                                                     "eligible": r.eligible, "score": r.score}
                                                    for r in evidence.regions]}

    @app.put("/ui/recommendations/{measure}", include_in_schema=False)
    def put_recommendations(body: RecommendationList, store: Store_, who: Who, measure: int = PathParam(ge=1, le=99)):
        row = check_measure(store, who, measure)
        declared = {r.region for r in evidence_for_measure(store, measure, passages_per_region=1,
                                                           figures_per_region=0).regions}
        seen: set[str] = set()
        items = []
        for item in body.items:
            region, reason = item.region.strip(), item.justification.strip()
            if region not in declared:
                raise UiError(422, "region_not_declared", f"{region} 未申报此项措施 / did not declare measure {measure}")
            if region in seen:
                raise UiError(422, "duplicate_region", f"{region} 在名单中出现了两次 / listed twice")
            if not reason:
                raise UiError(422, "justification_required", f"请填写推荐理由：{region} / a justification is required")
            for pid in item.passage_ids:
                check_passage(store, who, pid)
            seen.add(region)
            items.append({"region": region, "justification": reason, "passage_ids": item.passage_ids})
        saved = book.save(measure, items, by=who.name)
        return saved | {"title": row["title"]}

    @app.get("/ui/recommendations/{measure}/export", include_in_schema=False)
    def export_recommendations(store: Store_, who: Who, measure: int = PathParam(ge=1, le=99),
                               format: str = Query("xlsx", pattern="^(xlsx|docx)$")):
        row = check_measure(store, who, measure)
        record = book.load(measure)
        rows = recommendation_rows(store, measure, record["items"])
        lead = "、".join(json.loads(row["lead_units"]))
        title = f"{row['campaign_id']}年度督查激励推荐名单 — 措施{measure}：{row['title']}"
        footer = (f"牵头单位：{lead}；报送：市政府督查办；"
                  f"更新：{_beijing(record['updated_at']) or '未保存'}（{record['updated_by'] or who.name}）")
        name = f"推荐名单-措施{measure}.{format}"
        if format == "xlsx":
            content = recommendations_xlsx(title, rows, footer)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = recommendations_docx(title, rows, footer)
            media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return Response(content, media_type=media,
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})

    @app.get("/ui/briefing", include_in_schema=False)
    def briefing(store: Store_, who: Who, id: list[int] = Query(default=[], max_length=100),
                 measure: int | None = Query(None, ge=1, le=99), region: str | None = Query(None, max_length=60)):
        """The selected typical experiences (or all shown) as a DOCX briefing, ranked as on the page."""
        require(who, Role.REVIEWER, Role.PUBLICITY)
        if who.role is Role.REVIEWER and measure is not None:
            check_measure(store, who, measure)
        items = rank_experiences(store, measure=measure, region=region or None, limit=100,
                                 cleared_only=who.role is Role.PUBLICITY)
        if who.role is Role.REVIEWER:
            led = set(measures_of(store, who) or ())
            items = [e for e in items if e.measure in led]
        if id:
            chosen = set(id)
            items = [e for e in items if e.passage_id in chosen]
            if not items:
                raise UiError(404, "not_found", "所选案例不存在或无权导出 / no such experiences")
        return Response(briefing_docx(items), media_type="application/vnd.openxmlformats-officedocument."
                                                         "wordprocessingml.document",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('典型经验简报.docx')}"})

    @app.get("/ui/documents/{document_id}/passages/{passage_id}/boxes", include_in_schema=False)
    def boxes(document_id: str, store: Store_, who: Who, passage_id: int = PathParam(ge=1, le=2**62)):
        if who.role is Role.PUBLICITY:
            raise Forbidden("publicity staff see cleared passages, not page images")
        row = check_passage(store, who, passage_id)
        if row["document_id"] != document_id:
            raise Hidden(str(passage_id))
        return passage_boxes(store, row)

    @app.get("/ui/reviews", include_in_schema=False)
    def reviews(store: Store_, who: Who, passage: list[int] = Query(default=[], max_length=200)):
        require(who, Role.REVIEWER)
        out = {}
        for pid in dict.fromkeys(passage):
            try:
                check_passage(store, who, pid)
            except Hidden:
                continue
            history = [r | {"measures": json.loads(r["measures"]) if r["measures"] else None}
                       for r in store.db.query("SELECT action, reviewer, measures, note, created_at FROM reviews "
                                               "WHERE passage_id = ? ORDER BY id", [pid])]
            # the latest mark decides, as in index.store.passage_cleared and the experience ranking
            marks = [h["action"] for h in history if h["action"] in ("exemplary", "not_exemplary", "cleared",
                                                                      "uncleared")]
            mark = marks[-1] if marks else None
            labels = [r["measure"] for r in store.db.query(
                "SELECT measure FROM passage_labels WHERE passage_id = ? ORDER BY score DESC", [pid])]
            out[str(pid)] = {"mark": mark, "exemplary": mark == "exemplary", "cleared": store.passage_cleared(pid),
                             "labels": labels, "relabelled": any(h["action"] == "relabel" for h in history),
                             "history": history}
        return {"passages": out}
