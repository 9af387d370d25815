"""Filter values as FTS5 tag tokens: filters intersect inside the full-text index, not in SQL joins.

Every passage's row in `passages_fts` carries tokens such as ``m15`` (measure 15), ``r璧山区`` (region),
``tcounty`` (applicant type), ``y2022``, ``fpdf``, ``d<16 hex>`` (document) and ``xcleared``. The
passage keeps its tag string so its FTS row can be deleted and rewritten when a reviewer relabels it.
"""

from __future__ import annotations

import re

from classify import load_gazetteer

APPLICANT_CODES = {"区县": "county", "乡镇(街道)": "township", "国家级开发开放平台": "platform"}
NO_REGION = "none"
_SAFE = re.compile(r"[^\w]|_", re.UNICODE)


def clean(value: str) -> str:
    """A value as a tag token: letters, digits and ideographs only."""
    return _SAFE.sub("", value)


def measure_tag(measure: int) -> str:
    return f"m{int(measure)}"


def official_region(name: str) -> str:
    """The gazetteer's official name for a region a user typed (合川 → 合川区, 两江新区 → 重庆两江新区);
    a name the gazetteer does not know is kept as typed (a township, a region not yet listed)."""
    region = load_gazetteer().find(name.strip())
    return region.name if region is not None else name.strip()


def region_filter_tag(name: str) -> str:
    """The tag a region filter matches: a 区县 or platform by its county tag (its townships included),
    anything else (a township applicant, 草堂镇（奉节县）) by its own region tag."""
    region = load_gazetteer().find(name.strip())
    return county_tag(region.name) if region is not None else region_tag(name.strip())


def region_tag(region: str | None) -> str:
    return "r" + (clean(region) if region else NO_REGION)


def applicant_tag(applicant_type: str | None) -> str:
    return "t" + APPLICANT_CODES.get(applicant_type or "", "none")


def year_tag(year: int | None) -> str:
    return f"y{year}" if year else "ynone"


def format_tag(fmt: str | None) -> str:
    return "f" + clean(fmt or "none")


def document_tag(document_id: str) -> str:
    return "d" + clean(document_id)[:16]


CLEARED_TAG = "xcleared"


def owner_tag(region: str) -> str:
    """The uploading region (an uploader token sees its own region's documents)."""
    return "o" + clean(region)


def county_tag(county: str | None) -> str:
    """The 区县 (or platform) a document's applicant belongs to: a county's filter finds its townships too."""
    return "c" + (clean(county) if county else NO_REGION)


def passage_tags(*, measures, region, applicant_type, year, fmt, document_id, cleared: bool = False,
                 owners=(), county: str | None = None) -> str:
    """The tag string of one passage.

    >>> passage_tags(measures=[15, 2], region="草堂镇（奉节县）", county="奉节县", applicant_type="乡镇(街道)",
    ...              year=2022, fmt="pdf", document_id="ab" * 32)
    'm2 m15 r草堂镇奉节县 c奉节县 ttownship y2022 fpdf dabababababababab'
    """
    tags = [measure_tag(m) for m in sorted(set(measures))]
    tags += [region_tag(region), county_tag(county or region), applicant_tag(applicant_type), year_tag(year),
             format_tag(fmt), document_tag(document_id)]
    tags += [owner_tag(o) for o in sorted(set(owners))]
    if cleared:
        tags.append(CLEARED_TAG)
    return " ".join(tags)
