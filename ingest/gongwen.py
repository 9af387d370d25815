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
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_DATE = re.compile(
    r"^\s*((?:19|20)\d{2}|[二〇○零一二三四五六七八九Ｏ]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*"
    r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$"
)
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
    """An ISO date from a 成文日期 line, Arabic or Chinese numerals.

    >>> parse_cn_date("2022年6月25日"), parse_cn_date("二〇二三年一月十六日")
    ('2022-06-25', '2023-01-16')
    """
    m = _DATE.match(text)
    if not m:
        return None
    y, mo, d = (_cn_number(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1900 < y < 2200):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def detect_gongwen(doc: Document) -> GongwenMeta:
    lines = [s.text.strip() for s in doc.segments if s.parent is None and s.text.strip()]
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
                                         and not _TITLE.search(first)):
            continue  # the 版头 or the 发文字号 line, not the start of the title
        # a title may wrap over up to three centred lines; the joined lines must end where the title ends
        for k in (3, 2, 1):
            parts = [p.replace(" ", "") for p in head[i:i + k]]
            if len(parts) < k or any(len(p) > 60 or p.endswith(("。", "；", "：", ":")) or _DOC_NUMBER.search(p)
                                     for p in parts):
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

    for i in range(len(lines) - 1, max(len(lines) - 12, -1), -1):
        iso = parse_cn_date(lines[i])
        if iso:
            meta.date, meta.date_text = iso, lines[i].strip()
            for j in range(i - 1, max(i - 4, -1), -1):
                cand = lines[j].replace(" ", "")
                if 2 <= len(cand) <= 40 and _SIGNER_HINT.search(cand) and not cand.endswith("。"):
                    meta.signer = cand
                    break
            break
    return meta
