"""Whether a declaration came in after the campaign's deadline, and how that is known.

The 成文日期 the document carries decides; without one, the date the file says it was created; without
either, when it was uploaded. Dates are Beijing dates (the deadline is a day in Chongqing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?")
SOURCES = {"document": "成文日期", "file": "文件创建日期", "upload": "上传时间"}


@dataclass(frozen=True)
class Lateness:
    late: bool | None  # None: nothing to judge by
    source: str | None  # document | file | upload
    date: str | None  # the date judged (ISO)
    deadline: str | None

    def reason(self) -> str | None:
        """In Chinese, for people: "成文日期 2023-02-08 晚于截止日期 2023-02-01"."""
        if not self.late or not self.source:
            return None
        return f"{SOURCES[self.source]} {self.date} 晚于截止日期 {self.deadline}"


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


def lateness(deadline: date | None, *, doc_date: str | None, metadata: dict | None = None,
             uploaded_at: str | None = None) -> Lateness:
    """Judge one declaration against `deadline` by the best date it has.

    >>> lateness(date(2023, 2, 1), doc_date="2023-02-08").reason()
    '成文日期 2023-02-08 晚于截止日期 2023-02-01'
    >>> lateness(date(2023, 2, 1), doc_date=None, uploaded_at="2023-01-20T02:00:00+00:00").late
    False
    """
    if deadline is None:
        return Lateness(None, None, None, None)
    judged: tuple[str, date] | None = None
    if doc_date:
        try:
            judged = ("document", date.fromisoformat(doc_date))
        except ValueError:
            judged = None
    if judged is None and metadata:
        created = file_created(metadata)
        if created:
            judged = ("file", created)
    if judged is None and uploaded_at:
        try:
            at = datetime.fromisoformat(uploaded_at)
            judged = ("upload", (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(BEIJING).date())
        except ValueError:
            judged = None
    if judged is None:
        return Lateness(None, None, None, deadline.isoformat())
    source, when = judged
    return Lateness(when > deadline, source, when.isoformat(), deadline.isoformat())
