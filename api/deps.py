"""Request dependencies: a store connection per request and the signed-in principal."""

from __future__ import annotations

import queue
from typing import Annotated

from fastapi import Depends, Request

from api.errors import ApiError
from index import Store
from index.auth import Principal, authenticate

COOKIE = "jili_token"


class StorePool:
    """Connections for request handlers: each request borrows one and gives it back.

    FastAPI runs a request's dependencies and its handler on different pool threads, so a connection is
    handed between threads — one request at a time, never concurrently.
    """

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self._free: queue.SimpleQueue[Store] = queue.SimpleQueue()

    def acquire(self) -> Store:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            return Store(self.data_dir, shared=True)

    def release(self, store: Store) -> None:
        store.rollback_open()  # a handler failed mid-write: never hand out an open transaction
        self._free.put(store)


def get_store(request: Request):
    """A FastAPI dependency: a connection for the length of one request."""
    pool: StorePool = request.app.state.store_pool
    store = pool.acquire()
    try:
        yield store
    finally:
        pool.release(store)


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(COOKIE)


def viewer(request: Request, store: Annotated[Store, Depends(get_store)]) -> Principal | None:
    """The principal of the request's token (Bearer header or the UI's cookie), or None."""
    return authenticate(store, _token(request))


def principal(who: Annotated[Principal | None, Depends(viewer)]) -> Principal:
    if who is None:
        raise ApiError(401, "unauthorized", "a valid API token is required (Authorization: Bearer <token>)")
    return who


StoreDep = Annotated[Store, Depends(get_store)]
Who = Annotated[Principal, Depends(principal)]
Viewer = Annotated[Principal | None, Depends(viewer)]
