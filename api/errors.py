"""The one error type of the HTTP edge, and the translation of every typed error into it.

Stages raise typed errors (`JiliError` subclasses with a stable `code`); only here do they become HTTP
statuses and `{"error": {"code", "message"}}` bodies. Codes are stable for programs.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.messages import error_text
from index.access import Forbidden
from index.store import NotFoundError, UnknownMeasureError
from ingest.errors import JiliError

# status of each typed error code that is not 400
STATUS = {"forbidden": 403, "not_found": 404, "unknown_measure": 404, "no_page_image": 404, "no_such_page": 404,
          "invalid_request": 422, "region_not_declared": 422, "duplicate_region": 422, "justification_required": 422,
          "limit_exceeded": 413, "too_large": 413, "unauthorized": 401, "render_failed": 422, "timeout": 503}


class ApiError(Exception):
    """An error answered as JSON with a status and a stable code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    @classmethod
    def of(cls, exc: JiliError) -> ApiError:
        if isinstance(exc, NotFoundError) and not isinstance(exc, UnknownMeasureError) and exc.code == "not_found":
            return cls(404, "not_found", "no such object")  # hidden and missing look the same
        if isinstance(exc, Forbidden):
            return cls(403, "forbidden", exc.reason)
        return cls(STATUS.get(exc.code, 400), exc.code, exc.reason if isinstance(exc, UnknownMeasureError) else str(exc))


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The error body: a stable `code`, a Chinese `message` saying what to do, the technical `detail`."""
    return JSONResponse({"error": {"code": code, "message": error_text(code, message), "detail": message}},
                        status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(JiliError)
    async def _typed(request: Request, exc: JiliError):
        e = ApiError.of(exc)
        return error_response(e.status, e.code, e.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error_response(422, "invalid_request", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        return error_response(500, "internal_error", f"internal error ({type(exc).__name__})")
