"""Who is declaring: the Chongqing gazetteer, region detection, applicant type and measure eligibility.

This module owns

* the gazetteer (``corpora/regions.yaml``): the 38 区县 and the national-level development and opening
  platforms with their official, short and weak names, validated on load (`CatalogError` with line);
* `detect_region`: the declaring region of a document, weighing the signing unit, title and file name
  above raw mention counts, so a 石柱县 declaration that mentions 万州区 and 主城都市区 in passing
  stays 石柱土家族自治县; a 乡镇/街道 signing unit makes the applicant a township inside its 区县;
* `is_eligible` and `route_measures`: whether an applicant type may declare under a measure, and the
  lead and co-operating units a measure label routes to.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from enum import Enum
from functools import lru_cache
from pathlib import Path, PurePath

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from classify.catalog import (
    ApplicantType,
    Campaign,
    CatalogError,
    Measure,
    line_of,
    load_campaign,
    raise_validation_error,
    read_yaml,
)
from corpora import CORPORA_DIR
from ingest.model import Document

GAZETTEER_PATH = CORPORA_DIR / "regions.yaml"
_CJK = "\u4e00-\u9fff"


class RegionKind(str, Enum):
    DISTRICT = "district"
    COUNTY = "county"
    AUTONOMOUS_COUNTY = "autonomous_county"
    PLATFORM = "platform"


class Region(BaseModel):
    """A 区县 or a national-level development and opening platform."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(default=None, pattern=r"^\d{6}$", description="GB/T 2260 code (区县 only)")
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=2, description="official name")
    short_names: list[str] = Field(default_factory=list)
    weak_names: list[str] = Field(
        default_factory=list, description="also ordinary words: not matched in body text"
    )
    kind: RegionKind
    applicant_type: ApplicantType | None = None
    parent: str | None = Field(default=None, description="official name of the region that runs it")
    declares: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _applicant_type_follows_kind(self) -> Region:
        expected = ApplicantType.PLATFORM if self.kind is RegionKind.PLATFORM else ApplicantType.COUNTY
        if self.applicant_type is None:
            self.applicant_type = expected
        elif self.applicant_type is not expected:
            raise ValueError(
                f"a {self.kind.value} applies as {expected.value}, not {self.applicant_type.value}"
            )
        return self

    @property
    def names(self) -> list[str]:
        return [self.name, *self.short_names]


class TownshipRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    suffixes: list[str] = Field(min_length=1)
    organs: list[str] = Field(default_factory=list)
    not_townships: list[str] = Field(default_factory=list)


class _GazetteerFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regions: list[Region] = Field(min_length=1)
    townships: TownshipRules
    not_regions: list[str] = Field(default_factory=list)


Mention = tuple[int, int, Region]


class Gazetteer:
    """The regions and the name patterns; build it with `load_gazetteer`."""

    def __init__(self, regions: list[Region], townships: TownshipRules, not_regions: Iterable[str] = ()):
        self.regions = regions
        self.townships = townships
        self.not_regions = list(not_regions)
        self._by_name: dict[str, Region] = {}
        for region in regions:
            for name in (*region.names, *region.weak_names, region.slug):
                self._by_name[name] = region
        strong = {n: r for r in regions for n in r.names}
        weak = {n: r for r in regions for n in r.weak_names}
        self._pattern = _longest_first(list(strong) + self.not_regions)
        self._pattern_weak = _longest_first(list(strong) + list(weak) + self.not_regions)
        self._match_region = {**strong, **weak}
        suffixes = "|".join(map(re.escape, sorted(townships.suffixes, key=len, reverse=True)))
        # A township name starts at a boundary: the string start, a non-Chinese character, or the end of
        # a region name (masked before matching), so "石柱县黄水镇" yields 黄水镇, never "县黄水镇".
        self._township = re.compile(rf"(?<![{_CJK}])(?P<name>[{_CJK}]{{1,5}}?(?:{suffixes}))")

    def get(self, name: str) -> Region:
        """The region called `name` (official, short or weak name, or slug). ``"石柱"`` -> 石柱土家族自治县."""
        return self._by_name[name]

    def find(self, name: str) -> Region | None:
        return self._by_name.get(name)

    def find_all(self, text: str, *, include_weak: bool = False) -> list[Mention]:
        """Every region mention as ``(start, end, region)``, longest name first at each position.

        Args:
            text: any text.
            include_weak: also match weak names (长寿, 南岸, 两江); for titles, signers and file names.

        ``"石柱土家族自治县与万州区"`` -> ``[(0, 8, 石柱土家族自治县), (9, 12, 万州区)]``;
        ``"两江四岸"`` -> ``[]`` (a phrase in `not_regions` blocks the weak name 两江).
        """
        pattern = self._pattern_weak if include_weak else self._pattern
        out = []
        for match in pattern.finditer(text):
            region = self._match_region.get(match.group(0))
            if region is not None:
                out.append((match.start(), match.end(), region))
        return out

    def declaring(self, region: Region) -> Region | None:
        """The region that declares for `region`: itself, or the parent that runs a non-declaring zone."""
        seen = set()
        while not region.declares:
            if region.parent is None or region.slug in seen:
                return None
            seen.add(region.slug)
            region = self._by_name[region.parent]
        return region

    def find_townships(self, text: str) -> list[tuple[int, int, str]]:
        """乡镇/街道 names in a short text (a signing unit, a title, a file name) as ``(start, end, name)``.

        A name counts when it heads the text or follows a region name (石柱县黄水镇…), or when an organ,
        关于 or the end of a word follows it (…黄水镇人民政府, 黄水镇-申报材料); so "深入开展乡村治理"
        in a file name is no township.

        ``"石柱土家族自治县黄水镇人民政府"`` -> ``[(8, 11, "黄水镇")]``
        """
        masked = list(text)
        heads = {0}
        for start, end, _ in self.find_all(text, include_weak=True):
            masked[start:end] = "|" * (end - start)
            heads.add(end)
        # Organ words and place phrases are boundaries too: 渝中区人民政府解放碑街道办事处 -> 解放碑街道.
        for blocked in (*self.not_regions, *self.townships.organs):
            for m in re.finditer(re.escape(blocked), text):
                masked[m.start() : m.end()] = "|" * (m.end() - m.start())
        masked_text = "".join(masked)
        out = []
        for match in self._township.finditer(masked_text):
            name = match.group("name")
            if "关于" in name or "的" in name or any(name.endswith(w) for w in self.townships.not_townships):
                continue  # "关于乡村治理…", "…的乡镇", "城镇" are no township names
            after = text[match.end() :]
            closed = (
                match.end() == len(text)
                or masked_text[match.end()] == "|"
                or not re.match(rf"[{_CJK}]", after)
                or after.startswith("关于")
            )
            if match.start() in heads or closed:
                out.append((match.start(), match.end(), name))
        return out

    @property
    def counties(self) -> list[Region]:
        """The 38 区县 (districts, counties and autonomous counties)."""
        return [r for r in self.regions if r.applicant_type is ApplicantType.COUNTY]

    @property
    def platforms(self) -> list[Region]:
        return [r for r in self.regions if r.kind is RegionKind.PLATFORM]


def _longest_first(names: list[str]) -> re.Pattern[str]:
    names = sorted(set(names), key=len, reverse=True)
    first_chars = "".join(sorted({n[0] for n in names}))
    # The look-ahead on first characters lets the engine skip most positions at once.
    return re.compile(rf"(?=[{re.escape(first_chars)}])(?:{'|'.join(map(re.escape, names))})")


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Load and validate the gazetteer (default ``corpora/regions.yaml``; cached per path).

    Raises:
        CatalogError: with file and line, for invalid YAML, unknown fields, a name shared by two
            regions, a parent that is not in the file, duplicate slugs or codes.
    """
    return _load_gazetteer(Path(path) if path is not None else GAZETTEER_PATH)


@lru_cache(maxsize=8)
def _load_gazetteer(path: Path) -> Gazetteer:
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError("a gazetteer file must be a mapping", filename=path, line=line_of(node, ()))
    try:
        parsed = _GazetteerFile.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(exc, path, node)
    owner: dict[str, int] = {}
    slugs: dict[str, int] = {}
    codes: dict[str, int] = {}
    for index, region in enumerate(parsed.regions):
        loc = ("regions", index)
        for field, table, key in (("slug", slugs, region.slug), ("code", codes, region.code)):
            if key is not None and key in table:
                raise CatalogError(
                    f"duplicate {field} {key!r} (also regions.{table[key]})",
                    filename=path,
                    line=line_of(node, loc),
                )
            if key is not None:
                table[key] = index
        for name in (*region.names, *region.weak_names):
            if name in owner and owner[name] != index:
                other = parsed.regions[owner[name]].name
                raise CatalogError(
                    f"name {name!r} belongs to {other} too", filename=path, line=line_of(node, loc)
                )
            owner[name] = index
    for index, region in enumerate(parsed.regions):
        if region.parent is not None and region.parent not in owner:
            raise CatalogError(
                f"parent {region.parent!r} is not a region in this file",
                filename=path,
                line=line_of(node, ("regions", index, "parent")),
            )
    return Gazetteer(parsed.regions, parsed.townships, parsed.not_regions)


# --------------------------------------------------------------------------------------- detection


class RegionMatch(BaseModel):
    """The declaring region of a document and why it was chosen."""

    region: str | None = Field(
        description="official name of the 区县 or platform; None if only a township was seen"
    )
    slug: str | None = None
    kind: RegionKind | None = None
    applicant_type: ApplicantType
    township: str | None = None
    evidence: list[str] = Field(default_factory=list, description="where the region was found, with counts")
    confidence: float = Field(ge=0, le=1)
    scores: dict[str, float] = Field(default_factory=dict, description="score per candidate region")


# Weights of the places a region can be named: the signing unit and the letterhead decide, the title
# nearly so; raw mentions in the body only break ties or decide when nothing else names a region.
_WEIGHTS = {"signer": 10.0, "issuer": 8.0, "signature": 8.0, "title": 8.0, "opening": 6.0, "filename": 6.0}
_TEXT_WEIGHT = 4.0
_SELF_REFERENCE_BONUS = 1.5
_SELF = {
    "county": re.compile(r"[我本全]县"),
    "district": re.compile(r"[我本全]区"),
    "township": re.compile(r"[我本全](?:镇|乡(?!镇)|街道)(?!长)"),
}
_SIGNATURE = re.compile(
    rf"(?P<signer>[{_CJK}（）()]{{2,40}}(?:人民政府|管理委员会|管委会|办事处|办公室|委员会|党委|党工委))"
    r"\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零一二三四五六七八九十]{4}年)"
)


def detect_region(
    doc: Document | None = None,
    *,
    title: str | None = None,
    text: str | None = None,
    filename: str | None = None,
    signer: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> RegionMatch | None:
    """The declaring region of a document, its applicant type and the township if one signs.

    Args:
        doc: the document; ``doc.gongwen.title``, ``.signer``, ``.issuer``, ``doc.filename`` (and
            ``archive_path``) and ``doc.text`` are the evidence. Keyword arguments override them.
        title, text, filename, signer: evidence given directly (for callers without a `Document`).
        gazetteer: defaults to the packaged one.
    Returns:
        the match, or None when no region or township is named anywhere.

    A declaration titled ``"石柱县关于申报2022年督查激励的报告"``, signed
    ``"石柱土家族自治县人民政府"``, mentioning 万州区 and 主城都市区 in passing ->
    ``RegionMatch(region="石柱土家族自治县", applicant_type=ApplicantType.COUNTY, …)``.
    """
    gaz = gazetteer or load_gazetteer()
    issuer = None
    filenames = [filename] if filename else []
    if doc is not None:
        title = title if title is not None else doc.gongwen.title
        signer = signer if signer is not None else doc.gongwen.signer
        text = text if text is not None else doc.text
        issuer = doc.gongwen.issuer
        if not filenames:
            filenames = [p for p in (doc.archive_path, doc.filename) if p]
    sources = _sources(text or "", title=title, signer=signer, issuer=issuer, filenames=filenames)
    tally = _Tally()

    for source, value in sources:
        for rank, (_, _, mentioned) in enumerate(gaz.find_all(value, include_weak=True)):
            # The first region named in a signer or title is its subject; later ones are context.
            points = _WEIGHTS[source] if rank == 0 else _WEIGHTS[source] / 2
            tally.credit(gaz.declaring(mentioned), points, f"{source} {value!r} names {mentioned.name}")

    mentions: Counter[str] = Counter()
    for _, _, mentioned in gaz.find_all(text or ""):
        declaring = gaz.declaring(mentioned)
        if declaring is not None:
            mentions[declaring.name] += 1
    total = sum(mentions.values())
    for name, count in mentions.items():
        tally.credit(
            gaz.get(name), round(_TEXT_WEIGHT * count / total, 2), f"text: {count} of {total} region mentions"
        )

    self_refs = {kind: len(pattern.findall(text or "")) for kind, pattern in _SELF.items()}
    speaking_as = max(("county", "district"), key=lambda k: self_refs[k])
    if self_refs[speaking_as] >= 2:
        for region in list(tally.regions.values()):
            if region.kind in _SELF_KINDS[speaking_as]:
                word = "县" if speaking_as == "county" else "区"
                tally.credit(
                    region,
                    _SELF_REFERENCE_BONUS,
                    f"text speaks as 我{word}/本{word} {self_refs[speaking_as]} times",
                )

    township, township_reason = _township(gaz, sources, self_refs)
    best = tally.best()
    if best is None and not township_reason:
        return None
    if township_reason:
        applicant = ApplicantType.TOWNSHIP
    else:
        assert best is not None and best.applicant_type is not None
        applicant = best.applicant_type
    reasons = list(tally.evidence.get(best.slug, [])) if best else []
    if township_reason:
        reasons.append(township_reason)
    return RegionMatch(
        region=best.name if best else None,
        slug=best.slug if best else None,
        kind=best.kind if best else None,
        applicant_type=applicant,
        township=township,
        evidence=reasons,
        confidence=_confidence(tally.scores, best.slug if best else None),
        scores={tally.regions[s].name: round(v, 2) for s, v in tally.scores.most_common(5)},
    )


class Applicant(BaseModel):
    """Who declares a document: a township or platform in its own right, else the 区县."""

    name: str | None = Field(description="the applicant as shown everywhere: 璧山区, 重庆两江新区, 草堂镇（奉节县）")
    county: str | None = Field(default=None, description="the 区县 or platform it belongs to (itself for one)")
    township: str | None = None
    applicant_type: ApplicantType | None = None
    source: str | None = Field(default=None, description="document | uploader | uploader+document")
    warning: str | None = Field(default=None, description="set when the document names another region than the "
                                                          "uploader's")
    confidence: float | None = None
    evidence: list[str] = Field(default_factory=list)


def township_applicant(township: str, county: str | None) -> str:
    """A township's name as an applicant, its county beside it: ``草堂镇（奉节县）``."""
    return f"{township}（{county}）" if county else township


def declaring_applicant(match: RegionMatch | None, uploader_region: str | None = None,
                        gazetteer: Gazetteer | None = None) -> Applicant:
    """The declaring applicant of a document, from what the document says and who uploaded it.

    The uploader's region is the default; a township the document names inside it refines it (and
    declares as a township); a document that names another region keeps the uploader's, with a warning.

    >>> m = RegionMatch(region="奉节县", applicant_type=ApplicantType.TOWNSHIP, township="草堂镇", confidence=0.9)
    >>> declaring_applicant(m, "奉节县").name
    '草堂镇（奉节县）'
    """
    gaz = gazetteer or load_gazetteer()
    up = gaz.find(uploader_region.strip()) if uploader_region else None
    if up is not None:
        up = gaz.declaring(up) or up
    evidence = list(match.evidence) if match else []
    confidence = match.confidence if match else None
    if up is None:
        if match is None:
            return Applicant(name=uploader_region or None, county=uploader_region or None,
                             source="uploader" if uploader_region else None)
        if match.township:
            return Applicant(name=township_applicant(match.township, match.region), county=match.region,
                             township=match.township, applicant_type=ApplicantType.TOWNSHIP, source="document",
                             confidence=confidence, evidence=evidence)
        return Applicant(name=match.region, county=match.region, applicant_type=match.applicant_type,
                         source="document", confidence=confidence, evidence=evidence)
    own = Applicant(name=up.name, county=up.name, applicant_type=up.applicant_type, source="uploader",
                    confidence=confidence, evidence=[*evidence, f"uploaded by {up.name}"])
    if match is None:
        return own
    if match.township and match.region in (None, up.name):
        return Applicant(name=township_applicant(match.township, up.name), county=up.name, township=match.township,
                         applicant_type=ApplicantType.TOWNSHIP, source="uploader+document", confidence=confidence,
                         evidence=[*evidence, f"uploaded by {up.name}"])
    if match.region in (None, up.name):
        return own.model_copy(update={"source": "uploader+document"})
    named = township_applicant(match.township, match.region) if match.township else match.region
    return own.model_copy(update={"warning": f"材料署名或标题为{named}，但由{up.name}上传：请核对申报单位"})


_SELF_KINDS = {
    "county": {RegionKind.COUNTY, RegionKind.AUTONOMOUS_COUNTY},
    "district": {RegionKind.DISTRICT, RegionKind.PLATFORM},
}


class _Tally:
    """Scores and reasons per candidate region (by slug)."""

    def __init__(self) -> None:
        self.scores: Counter[str] = Counter()
        self.evidence: dict[str, list[str]] = {}
        self.regions: dict[str, Region] = {}

    def credit(self, region: Region | None, points: float, reason: str) -> None:
        if region is None:
            return
        self.regions[region.slug] = region
        self.scores[region.slug] += points
        self.evidence.setdefault(region.slug, []).append(f"{reason} (+{points:g})")

    def best(self) -> Region | None:
        if not self.scores:
            return None
        return self.regions[max(self.scores, key=lambda s: self.scores[s])]


def _sources(
    text: str, *, title: str | None, signer: str | None, issuer: str | None, filenames: list[str]
) -> list[tuple[str, str]]:
    """The short, strong places a region is named, in order of authority: (source, value)."""
    sources = [(name, value) for name, value in (("signer", signer), ("issuer", issuer)) if value]
    if text and not signer:
        # No signer from the 公文 parser: look for "<organ> <date>" at the end of the text.
        found = list(_SIGNATURE.finditer(text[-400:]))
        if found:
            sources.append(("signature", found[-1].group("signer")))
    if title:
        sources.append(("title", title))
    elif text:
        opening = text.strip().split("\n", 1)[0][:80]
        if re.search(r"关于|报告|申报|材料|情况", opening):
            sources.append(("opening", opening))
    for name in filenames:
        stems = [PurePath(part).stem for part in PurePath(name).parts]
        sources.append(("filename", "/".join(stems)))
    return sources


def _township(
    gaz: Gazetteer, sources: list[tuple[str, str]], self_refs: dict[str, int]
) -> tuple[str | None, str]:
    """The township that signs or heads the document; else whether the text speaks as one (我镇 …).

    A signing unit that is a 区县 or platform settles it: a county report that names a township in
    its title is still the county's.
    """
    for source, value in sources:
        found = gaz.find_townships(value)
        if found:
            name = found[0][2]
            return name, f"{source} {value!r} names township {name}"
        if source in ("signer", "issuer", "signature") and gaz.find_all(value, include_weak=True):
            return None, ""
    if self_refs["township"] >= 3 and self_refs["township"] > max(self_refs["county"], self_refs["district"]):
        return None, f"text speaks as a township (我镇/我乡/我街道) {self_refs['township']} times"
    return None, ""


def _confidence(scores: Counter[str], best: str | None) -> float:
    """Share of the evidence the winner holds, discounted when no strong source (signer, title…) named it."""
    if best is None:
        return 0.3  # a township spoke of itself but named no 区县
    total = sum(scores.values())
    strength = min(1.0, scores[best] / _WEIGHTS["title"])
    return round((scores[best] / total) * (0.5 + 0.5 * strength), 2)


# ------------------------------------------------------------------------------------- eligibility


def is_eligible(measure: Measure, applicant_type: ApplicantType) -> bool:
    """Whether `applicant_type` may declare under `measure`, as the notice states.

    ``is_eligible(measure_15, ApplicantType.TOWNSHIP)`` -> False (措施15 只面向区县);
    ``is_eligible(measure_13, ApplicantType.TOWNSHIP)`` -> True.
    """
    return applicant_type in measure.applicant_types


class MeasureRoute(BaseModel):
    """Where a measure label goes: whether the applicant may declare under it, and to which units."""

    measure_id: int
    title: str
    applicant_type: ApplicantType
    eligible: bool
    provisions: list[int] = Field(
        default_factory=list, description="indices of the provisions that admit the applicant"
    )
    lead_units: list[str]
    co_units: list[str]
    reason: str


def route_measures(
    measures: Iterable[int | Measure], applicant_type: ApplicantType, campaign: Campaign | None = None
) -> list[MeasureRoute]:
    """For each predicted measure: eligibility of `applicant_type` and the lead and co-operating units.

    ``route_measures([15], ApplicantType.TOWNSHIP)`` ->
    ``[MeasureRoute(measure_id=15, eligible=False, lead_units=["市农业农村委"], co_units=["市财政局"], …)]``
    """
    campaign_ = campaign
    out = []
    for item in measures:
        if isinstance(item, Measure):
            measure = item
        else:
            campaign_ = campaign_ or load_campaign()
            measure = campaign_.measure(item)
        admitting = [i for i, p in enumerate(measure.provisions) if applicant_type in p.applicant_types]
        eligible = is_eligible(measure, applicant_type)
        allowed = "、".join(t.value for t in measure.applicant_types)
        reason = (
            f"措施{measure.id}面向{allowed}"
            if eligible
            else f"措施{measure.id}只面向{allowed}，{applicant_type.value}不在申报范围"
        )
        out.append(
            MeasureRoute(
                measure_id=measure.id,
                title=measure.title,
                applicant_type=applicant_type,
                eligible=eligible,
                provisions=admitting,
                lead_units=measure.lead_units,
                co_units=measure.co_units,
                reason=reason,
            )
        )
    return out
