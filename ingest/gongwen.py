"""公文 (GB/T 9704) elements: issuing authority (版头), document number, title, addressee, signer, date.

Works on the body segments of any format; finds nothing (all None) in documents that are not 公文.
"""

from __future__ import annotations

import re

from ingest.model import Document, GongwenMeta

_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号"
)
_TITLE = re.compile(
    r"(关于.{2,80}的(通知|通报|报告|请示|意见|决定|批复|函|复函|方案|办法|规定|公告|通告|纪要|申请|说明))"
    r"|(.{2,60}(申报材料|自评报告|工作总结|典型经验|经验材料|实施方案|工作报告|情况报告|情况汇报|申报书|申报表))$"
)
_ADDRESSEE = re.compile(r"^[\u4e00-\u9fa5（）()、，,\s]{2,80}[：:]$")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
# a 成文日期, Arabic or Chinese numerals; OCR of a date under a red seal reads 日 as 白/曰/目 and 〇 as O or 0
_DATE_BODY = (r"((?:19|20)\d{2}|[二〇○零Ｏ0Oo一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*"
              r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日白曰目]")
_DATE = re.compile(r"^\s*" + _DATE_BODY + r"\s*$")
# the unit and the date on one 落款 line: "重庆市合川区人民政府　　2023年1月12日"
_SIGNED_DATE = re.compile(r"^\s*(\S.{1,40}?)[\s\u3000]*" + _DATE_BODY + r"\s*$")
# a date after a 日期 label in a header line or form: "填报日期：2023年1月16日"
_LABELLED_DATE = re.compile(r"(?:成文|填报|报送|申报|上报|印发|签发)?日期[\s：:\t]*" + _DATE_BODY)
_LABEL = re.compile(r"^[\u4e00-\u9fa5]{2,6}[：:]\S")  # a form line, "申报单位：合川区人民政府", is not a title
_DATE_LABEL = re.compile(r"(成文|填报|报送|申报|上报|印发|签发|落款)?(日期|时间)[：:]?$")
_ISSUER_HINT = re.compile(r"(人民政府|办公厅|办公室|委员会|局|委|厅|部|院|中心|管委会|街道办事处|政府|公司|文件)$")
_SIGNER_HINT = re.compile(r"(人民政府|办公厅|办公室|委员会|管理委员会|管委会|局|委|厅|部|院|中心|办事处|政府|公司|镇|乡|街道)$")


def _cn_number(text: str) -> int:
    """二〇二二 -> 2022 (digit by digit); 十二 -> 12; 二十五 -> 25."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS.get(ch, 0)
    return value


def parse_cn_date(text: str) -> str | None:
    """An ISO date from a 成文日期 line, Arabic or Chinese numerals, tolerant of OCR under a seal.

    >>> parse_cn_date("2022年6月25日"), parse_cn_date("二〇二三年一月十六日"), parse_cn_date("2023年1月12白")
    ('2022-06-25', '2023-01-16', '2023-01-12')
    """
    m = _DATE.match(text)
    return _iso(m.groups()) if m else None


def _iso(groups) -> str | None:
    y, mo, d = (_cn_number(g) for g in groups)
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1900 < y < 2200):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def detect_gongwen(doc: Document) -> GongwenMeta:
    lines = [s.text.strip() for s in doc.segments if s.parent is None and s.kind.value != "table" and s.text.strip()]
    meta = GongwenMeta()
    if not lines:
        return meta
    head = lines[:15]

    number_idx = None
    for i, line in enumerate(head):
        m = _DOC_NUMBER.search(line)
        if m and len(line) < 60:
            meta.doc_number = re.sub(r"\s+", "", m.group(0))
            number_idx = i
            break

    title_idx = title_end = None
    for i in range(len(head)):
        first = head[i].replace(" ", "")
        if _DOC_NUMBER.search(first) or (len(first) <= 30 and "关于" not in first and _ISSUER_HINT.search(first)
                                         and not _TITLE.search(first)) or parse_cn_date(first):
            continue  # the 版头, the 发文字号 or a date line, not the start of the title
        # a title may wrap over up to three centred lines; the joined lines must end where the title ends
        for k in (3, 2, 1):
            parts = [p.replace(" ", "") for p in head[i:i + k]]
            if len(parts) < k or any(len(p) > 60 or p.endswith(("。", "；", "：", ":")) or _DOC_NUMBER.search(p)
                                     or parse_cn_date(p) or _LABEL.match(p) for p in parts):
                continue
            cand = "".join(parts)
            m = _TITLE.search(cand)
            if m and len(cand) <= 100 and not cand.endswith(("。", "；")) and (k == 1 or m.end() == len(cand)):
                meta.title, title_idx, title_end = cand, i, i + k
                break
        if title_idx is not None:
            break

    # 版头: the lines above the document number (or above the title), short, ending like an authority
    stop = number_idx if number_idx is not None else title_idx
    if stop is not None:
        for line in head[:stop]:
            compact = line.replace(" ", "")
            if 2 <= len(compact) <= 40 and _ISSUER_HINT.search(compact) and not _DOC_NUMBER.search(compact):
                meta.issuer = re.sub(r"文件$", "", compact)
                break

    if title_end is not None:
        for line in lines[title_end: title_end + 3]:
            if _ADDRESSEE.match(line) and len(line) <= 80:
                meta.addressee = line.rstrip("：:").strip()
                break

    meta.date, meta.date_text, signer = _date(doc, lines, head, title_idx)
    if signer:
        meta.signer = signer
    return meta


def _date(doc: Document, lines: list[str], head: list[str], title_idx: int | None) -> tuple[str | None, str | None, str | None]:
    """The 成文日期 (ISO), its text, and the signing unit, wherever the document puts them.

    In order: the 落款 at the end (the date on its own line under the unit, or on the unit's line); a
    date cell beside a 日期 label in a table; a date line in the 版头, above the title (cover letters).
    """
    for i in range(len(lines) - 1, max(len(lines) - 12, -1), -1):
        line = lines[i]
        iso = parse_cn_date(line)
        if iso:
            return iso, line.strip(), _signer_above(lines, i)
        m = _SIGNED_DATE.match(line)
        if m and _SIGNER_HINT.search(m.group(1).replace(" ", "")):
            iso = _iso(m.groups()[1:])
            if iso:
                return iso, line.strip(), m.group(1).replace(" ", "").strip()
    rows: dict[str, list[str]] = {}
    for seg in doc.segments:
        if seg.kind.value == "table_cell" and seg.parent:
            rows.setdefault(seg.parent, []).append(seg.text.strip())
    for cells in rows.values():
        for label, value in zip(cells, cells[1:], strict=False):
            if _DATE_LABEL.search(label.replace(" ", "")):
                iso = parse_cn_date(value)
                if iso:
                    return iso, value, None
    for line in head[:title_idx if title_idx is not None else 6]:
        iso = parse_cn_date(line)
        if iso:
            return iso, line.strip(), None
    for line in head[:12]:
        m = _LABELLED_DATE.search(line)
        if m:
            iso = _iso(m.groups())
            if iso:
                return iso, m.group(0), None
    return None, None, None


def _signer_above(lines: list[str], i: int) -> str | None:
    for j in range(i - 1, max(i - 4, -1), -1):
        cand = lines[j].replace(" ", "")
        if 2 <= len(cand) <= 40 and _SIGNER_HINT.search(cand) and not cand.endswith("。"):
            return cand
    return None
