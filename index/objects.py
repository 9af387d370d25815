"""Where the original files live: a folder (default) or S3-compatible object storage, behind one interface.

Originals are content-addressed: the key of a file is its sha256 (``ab/cd/abcd…``). An original is
written once and never rewritten. With the default store they are files under ``DATA_DIR/files``; with
``JILI_STORE_URL=s3://bucket/prefix`` (``?endpoint=http://host:port`` for a server other than AWS, e.g.
MinIO or the loopback server the tests start) they are objects, and a worker or API process on any
machine fetches the one it needs into its own ``DATA_DIR/cache/objects`` (bounded: least recently used
files are evicted past `CACHE_BYTES`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import parse_qs, urlsplit

CACHE_BYTES = 2 * 1024**3


class Objects(Protocol):
    def path(self, sha256: str) -> Path:
        """A local file holding the original (fetched first when remote); it may not exist."""

    def exists(self, sha256: str) -> bool: ...

    def put_file(self, source: Path, sha256: str) -> None:
        """Take a staged file (already hashed) into the store; an existing original is kept as it is."""

    def put_stream(self, fh: BinaryIO, limit: int, chunk: int = 1024 * 1024) -> tuple[str, int, bytes]:
        """Copy a stream in, hashing as it goes: (sha256, size, first bytes); past `limit` ("", size, head)."""

    def describe(self) -> str: ...


def _key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _spool(fh: BinaryIO, folder: Path, limit: int, chunk: int) -> tuple[str, int, bytes, str | None]:
    """Copy a stream to a temporary file in `folder`, hashing: (sha256, size, head, temp path or None)."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size, head = 0, b""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while block := fh.read(chunk):
                if not head:
                    head = block[:64]
                size += len(block)
                if size > limit:
                    break
                digest.update(block)
                out.write(block)
    except BaseException:  # a client that went away mid-upload leaves no staged file behind
        os.unlink(tmp)
        raise
    if size > limit:
        os.unlink(tmp)
        return "", size, head, None
    return digest.hexdigest(), size, head, tmp


class _Spooled:
    """`put_stream` for both stores: the stream is staged (and hashed) in `staging`, then `put_file`."""

    staging: Path

    def put_file(self, source: Path, sha256: str) -> None:
        raise NotImplementedError

    def put_stream(self, fh: BinaryIO, limit: int, chunk: int = 1024 * 1024) -> tuple[str, int, bytes]:
        sha, size, head, tmp = _spool(fh, self.staging, limit, chunk)
        if tmp is not None:
            self.put_file(Path(tmp), sha)
        return sha, size, head


class LocalObjects(_Spooled):
    """Originals as files under one folder."""

    def __init__(self, folder: Path):
        self.folder = self.staging = Path(folder)

    def path(self, sha256: str) -> Path:
        return self.folder / _key(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put_file(self, source: Path, sha256: str) -> None:
        path = self.path(sha256)
        if path.exists():
            Path(source).unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, path)

    def describe(self) -> str:
        return str(self.folder)


class S3Objects(_Spooled):
    """Originals as objects in an S3-compatible bucket, with a bounded local cache."""

    def __init__(self, url: str, cache: Path):
        import boto3
        from botocore.config import Config

        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/")
        self.url = url.split("?")[0]
        endpoint = query.get("endpoint") or os.environ.get("JILI_S3_ENDPOINT") or None
        self.client = boto3.client("s3", endpoint_url=endpoint, region_name=query.get("region", "us-east-1"),
                                   config=Config(retries={"max_attempts": 5, "mode": "standard"}))
        self.cache = self.staging = Path(cache)

    def _name(self, sha256: str) -> str:
        return f"{self.prefix}/{_key(sha256)}" if self.prefix else _key(sha256)

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(sha256))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def path(self, sha256: str) -> Path:
        from botocore.exceptions import ClientError

        local = self.cache / _key(sha256)
        if local.exists():
            os.utime(local)  # recently used: kept by the eviction
            return local
        local.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=local.parent, prefix=".fetch-")
        os.close(fd)
        try:
            self.client.download_file(self.bucket, self._name(sha256), tmp)
        except ClientError as exc:
            os.unlink(tmp)
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return local  # missing: the caller sees a path that does not exist
            raise
        os.replace(tmp, local)
        self._evict()
        return local

    def put_file(self, source: Path, sha256: str) -> None:
        if not self.exists(sha256):
            self.client.upload_file(str(source), self.bucket, self._name(sha256))
        Path(source).unlink(missing_ok=True)

    def _evict(self) -> None:
        files = [p for p in self.cache.rglob("*") if p.is_file() and not p.name.startswith(".")]
        total = sum(p.stat().st_size for p in files)
        for p in sorted(files, key=lambda p: p.stat().st_mtime):
            if total <= CACHE_BYTES:
                break
            total -= p.stat().st_size
            p.unlink(missing_ok=True)

    def describe(self) -> str:
        return self.url


def open_objects(data_dir: Path, url: str | None = None) -> Objects:
    """The originals store: `url`, else JILI_STORE_URL, else the folder DATA_DIR/files."""
    url = (url or os.environ.get("JILI_STORE_URL") or "").strip()
    if url.startswith("s3://"):
        return S3Objects(url, Path(data_dir) / "cache" / "objects")
    if url.startswith("file://"):
        return LocalObjects(Path(urlsplit(url).path))
    if url:
        raise ValueError(f"JILI_STORE_URL: expected s3://bucket[/prefix] or file:///path, not {url!r}")
    return LocalObjects(Path(data_dir) / "files")
