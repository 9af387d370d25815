"""Reporting periods: finding "2022年1-11月", "前三季度", "截至2022年底" and turning them into dates.

Periods are never figures themselves (they are excluded by the scanner); they qualify figures. A
period parses into ISO start/end dates when the text fixes them; a month range like 1-11月 runs from
the first day of the first month to the last day of the last (no general date library reads these).
"""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass

from extract.model import Period

_CN_Q = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DASH = r"[-—–~～至到]"
_YEAR = r"(?:19|20)\d{2}"

# One alternation, most specific first; groups are read by name in `_parse`. Parts without a year use
# x-prefixed groups so that the pattern can never match the empty string.
_PERIOD = re.compile(
    # two fast filters: one character class, which lets the engine skip most of the text, then the
    # exact ways a period can start
    r"(?=[截0-9“十前第一二三四上下])"
    r"(?=[截0-9]|“?十[一二三四五六七八九]五|前[一二三]季|第?[一二三四]季度|[上下]半年)"
    rf"(?P<until>截至|截止到|截止)?"
    rf"(?:"
    rf"(?P<y1>{_YEAR}){_DASH}(?P<y2>{_YEAR})年"
    rf"|“?(?P<plan>十[一二三四五六七八九]五)”?(?:期间|时期|以来|末)"
    rf"|(?P<year>{_YEAR})年度?"
    rf"(?:(?P<m1>\d{{1,2}}){_DASH}(?P<m2>\d{{1,2}})月"
    rf"|(?P<month>\d{{1,2}})月(?:(?P<day>\d{{1,2}})日)?(?P<mend>底|末)?"
    rf"|(?P<qfirst>前)?第?(?P<q>[一二三四1-4])季度"
    rf"|(?P<half>上半年|下半年)"
    rf"|(?P<yend>年底|年末|底|末)"
    rf"|(?P<since>以来))?"
    rf"|(?P<xm1>\d{{1,2}}){_DASH}(?P<xm2>\d{{1,2}})月"
    rf"|(?P<xmonth>\d{{1,2}})月(?:(?P<xday>\d{{1,2}})日)?(?P<xmend>底|末)?"
    rf"|(?P<xqfirst>前)?第?(?P<xq>[一二三四1-4])季度"
    rf"|(?P<xhalf>上半年|下半年)"
    rf")"
)
_RELATIVE = re.compile(r"今年|去年|上年|全年|前年|本年度|当年|上半年|下半年")
# Every period above holds one of these (十四五 holds 五); a stretch of text without any holds no period,
# and one search for them is far cheaper than running _PERIOD over it.
_ANCHORS = re.compile("[年月季五]")


@dataclass(slots=True)
class PeriodMatch:
    """A period found in a text; the `Period` is built on first use (most periods qualify no figure)."""

    start: int
    end: int
    _match: re.Match[str] | None  # None for a relative period (今年, 上半年), which has no dates
    _default_year: int | None = None
    _period: Period | None = None
    _relative_text: str = ""  # the words of a relative period

    @property
    def period(self) -> Period:
        if self._period is None:
            m = self._match
            if m is None:
                self._period = Period(text=self._relative_text)
                return self._period
            dates = _parse(m, self._default_year) or (None, None)
            start, end = dates
            if m.group("until"):
                start = None  # 截至 fixes only the end
            self._period = Period(text=m.group(0), start=start, end=end)
        return self._period


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _valid_month(m: int) -> bool:
    return 1 <= m <= 12


# the groups of the parts without a year, by the name of their counterpart with one
_YEARLESS_GROUPS = tuple((k, "x" + k) for k in ("m1", "m2", "month", "day", "mend", "qfirst", "q", "half"))


def _parse(m: re.Match[str], default_year: int | None) -> tuple[str | None, str | None] | None:
    """(start, end) ISO dates for one match, or None when the match is not a period at all."""
    g = m.groupdict()
    for k, xk in _YEARLESS_GROUPS:
        g[k] = g[k] or g[xk]
    if g["y1"]:
        return f"{g['y1']}-01-01", f"{g['y2']}-12-31"
    if g["plan"]:
        # 五年规划: 十四五 is 2021–2025; 十一五 began in 2006
        n = {"一": 11, "二": 12, "三": 13, "四": 14, "五": 15, "六": 16, "七": 17, "八": 18, "九": 19}[g["plan"][1]]
        first = 2006 + (n - 11) * 5
        start, end = f"{first}-01-01", f"{first + 4}-12-31"
        return (start, end) if "以来" not in m.group(0) else (start, None)
    year = int(g["year"]) if g["year"] else default_year
    if year is None:
        return None, None
    if g["m1"]:
        a, b = int(g["m1"]), int(g["m2"])
        if not (_valid_month(a) and _valid_month(b) and a <= b):
            return None
        return f"{year:04d}-{a:02d}-01", _month_end(year, b)
    if g["month"]:
        mo = int(g["month"])
        if not _valid_month(mo):
            return None
        if g["day"]:
            day = int(g["day"])
            if not 1 <= day <= calendar.monthrange(year, mo)[1]:
                return None
            iso = f"{year:04d}-{mo:02d}-{day:02d}"
            return iso, iso
        if g["mend"]:
            return None, _month_end(year, mo)  # 10月底 is a point in time
        return f"{year:04d}-{mo:02d}-01", _month_end(year, mo)
    if g["q"]:
        q = _CN_Q[g["q"]]
        first_month = 1 if g["qfirst"] else 3 * q - 2
        return f"{year:04d}-{first_month:02d}-01", _month_end(year, 3 * q)
    if g["half"]:
        return (f"{year:04d}-01-01", f"{year:04d}-06-30") if g["half"] == "上半年" else (
            f"{year:04d}-07-01", f"{year:04d}-12-31")
    if g["yend"]:
        return None, f"{year:04d}-12-31"
    if g["since"]:
        return f"{year:04d}-01-01", None
    return f"{year:04d}-01-01", f"{year:04d}-12-31"


def _plausible(m: re.Match[str]) -> bool:
    """Month and day numbers in range (13月 is not a month)."""
    m1, xm1, m2, xm2, month, xmonth = m.group("m1", "xm1", "m2", "xm2", "month", "xmonth")
    m1, m2, month = m1 or xm1, m2 or xm2, month or xmonth
    for v in (m1, m2, month):
        if v is not None and not 1 <= int(v) <= 12:
            return False
    return not (m1 and m2 and int(m1) > int(m2))


def find_periods(
    text: str, *, default_year: int | None = None, start: int = 0, end: int | None = None
) -> list[PeriodMatch]:
    """All period expressions in `text` (or in `text[start:end]`), in order, with their parsed dates.

    Offsets are into `text` either way. A period never spans a sentence end (。；\\n …), so one
    sentence can be searched on its own with the same result as the whole text.

    >>> [p.period.model_dump() for p in find_periods("2022年1-11月，社会消费品零售总额增长8.5%")]
    [{'text': '2022年1-11月', 'start': '2022-01-01', 'end': '2022-11-30'}]
    """
    end = len(text) if end is None else end
    if not _ANCHORS.search(text, start, end):
        return []
    found: list[PeriodMatch] = []
    for m in _PERIOD.finditer(text, start, end):
        if not _plausible(m):
            continue
        found.append(PeriodMatch(m.start(), m.end(), m, default_year))
    starts = [p.start for p in found]
    for m in _RELATIVE.finditer(text, start, end):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i < 0 or m.start() >= found[i].end:  # not inside an absolute period ("2022年上半年")
            found.append(PeriodMatch(m.start(), m.end(), None, _relative_text=m.group(0)))
    found.sort(key=lambda p: p.start)
    return found


def parse_period(text: str, *, default_year: int | None = None) -> Period | None:
    """The first period in `text`, or None.

    >>> parse_period("截至2022年底").model_dump()
    {'text': '截至2022年底', 'start': None, 'end': '2022-12-31'}
    """
    found = find_periods(text, default_year=default_year)
    return found[0].period if found else None
