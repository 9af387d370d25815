"""ZIP archives: every member becomes its own document, remembering its path inside the archive.

Member names written by Chinese Windows tools are GBK bytes without the UTF-8 flag; they are decoded as
GBK (falling back to UTF-8 and then cp437). Archives are guarded against zip bombs (per-member
compression ratio, total size, member count, nesting depth) and zip slip (paths escaping the archive).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.errors import CorruptFileError, IngestError, LimitExceededError, UnsafeArchiveError
from ingest.options import ParseOptions

_SKIP_PREFIXES = ("__MACOSX/",)
_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass
class Member:
    path: str  # decoded path inside the archive
    data: bytes | None
    error: IngestError | None = None


def decode_member_name(info: zipfile.ZipInfo) -> str:
    """The real name of a zip member: GBK-encoded names are common from Chinese Windows.

    `zipfile` decodes names without the UTF-8 flag (bit 0x800) as cp437; we undo that and try GBK.
    """
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    return decode_name(raw, name)


def decode_name(raw: bytes, fallback: str) -> str:
    """A file name's bytes as UTF-8, else GB18030 (Chinese Windows), else `fallback`: zip members and
    multipart upload names both arrive this way."""
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return fallback


def _safe_path(name: str) -> bool:
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return False
    parts = [p for p in posixpath.normpath(norm).split("/") if p]
    return ".." not in parts and not posixpath.normpath(norm).startswith("..")


_CENTRAL = b"PK\x01\x02"


def _without_utf8_flags(data: bytes) -> bytes:
    """A copy whose central directory entries no longer claim UTF-8 names (bit 0x800 cleared).

    Some Windows tools set the flag over GBK bytes; zipfile then cannot decode the name at all. Without
    the flag the names are decoded the careful way (`decode_member_name`: UTF-8, then GB18030).
    """
    buf = bytearray(data)
    i = buf.find(_CENTRAL)
    while i >= 0 and i + 10 <= len(buf):
        flags = int.from_bytes(buf[i + 8:i + 10], "little")
        buf[i + 8:i + 10] = (flags & ~0x800).to_bytes(2, "little")
        i = buf.find(_CENTRAL, i + 46)
    return bytes(buf)


def open_zip(data: bytes, filename: str) -> zipfile.ZipFile:
    """Open a zip's directory, or raise CorruptFileError naming what is wrong with it."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except UnicodeDecodeError:
        try:
            return zipfile.ZipFile(io.BytesIO(_without_utf8_flags(data)))
        except Exception as exc:  # noqa: BLE001 - see below
            raise CorruptFileError(f"the zip archive's directory is damaged ({type(exc).__name__})",
                                   filename=filename) from exc
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError, OverflowError) as exc:
        raise CorruptFileError(f"the zip archive is damaged or truncated ({exc})", filename=filename) from exc


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A member stored as a symbolic link (Unix mode S_IFLNK in the external attributes)."""
    return info.create_system == 3 and (info.external_attr >> 16) & 0o170000 == 0o120000


def iter_members(data: bytes, filename: str, options: ParseOptions) -> Iterator[Member]:
    """Yield each file member of the archive with its bytes, or with the error that stops it alone."""
    zf = open_zip(data, filename)
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > options.zip_max_members:
            raise LimitExceededError(
                f"the archive holds {len(infos)} files, more than the limit of {options.zip_max_members}",
                filename=filename)
        declared = sum(i.file_size for i in infos)
        if declared > options.zip_max_total_bytes:
            raise LimitExceededError(
                f"the archive would unpack to {declared / 2**20:.0f} MiB, more than the limit of "
                f"{options.zip_max_total_bytes / 2**20:.0f} MiB (zip bomb?)", filename=filename)
        total = 0
        for info in infos:
            name = decode_member_name(info)
            base = posixpath.basename(name.replace("\\", "/"))
            if name.startswith(_SKIP_PREFIXES) or base in _SKIP_NAMES or base.startswith("~$"):
                continue
            member_label = f"{filename}!{name}"
            if not _safe_path(name):
                yield Member(name, None, UnsafeArchiveError(
                    "the member path escapes the archive (zip slip); it was not extracted", filename=member_label))
                continue
            if _is_link(info):
                yield Member(name, None, UnsafeArchiveError(
                    "the member is a symbolic link, not a file; it was not extracted", filename=member_label))
                continue
            if info.flag_bits & 0x1:
                from ingest.errors import EncryptedFileError

                yield Member(name, None, EncryptedFileError(
                    "the archive member is encrypted; a password is needed", filename=member_label))
                continue
            try:
                fh = zf.open(info)  # checks the member's own header against the directory, reads nothing yet
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError, RuntimeError) as exc:
                yield Member(name, None, CorruptFileError(f"the member could not be extracted ({exc})",
                                                          filename=member_label))
                continue
            with fh:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > 1_000_000 and ratio > options.zip_max_ratio:
                    yield Member(name, None, LimitExceededError(
                        f"compression ratio {ratio:.0f}:1 exceeds {options.zip_max_ratio:.0f}:1 (zip bomb?)",
                        filename=member_label))
                    continue
                if info.file_size > options.max_bytes:
                    yield Member(name, None, LimitExceededError(
                        f"the member is {info.file_size} bytes, more than the limit of {options.max_bytes}",
                        filename=member_label))
                    continue
                try:
                    # read at most the declared size + 1 byte: a lying header cannot inflate us further
                    payload = fh.read(info.file_size + 1)
                except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError, RuntimeError) as exc:
                    yield Member(name, None, CorruptFileError(f"the member could not be extracted ({exc})",
                                                              filename=member_label))
                    continue
            if len(payload) > info.file_size:
                yield Member(name, None, CorruptFileError("the member is larger than its header declares",
                                                          filename=member_label))
                continue
            total += len(payload)
            if total > options.zip_max_total_bytes:
                raise LimitExceededError("the archive unpacks to more than the total-size limit (zip bomb?)",
                                         filename=filename)
            yield Member(name, payload)
