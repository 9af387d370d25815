"""What people read: every error and warning in Chinese, saying what happened and what to do next.

Stages raise typed errors and write warnings in English for developers and logs; codes stay stable for
programs. Here, at the edge, each becomes a Chinese sentence: the code picks the message, and a
pattern over the technical reason picks a more precise one where it matters (which limit, which
damage). A reason no pattern knows still gets its code's general message, never English.
"""

from __future__ import annotations

import re

# code -> (what happened, what to do next)
ERRORS: dict[str, tuple[str, str]] = {
    "empty_file": ("文件是空的，没有任何内容", "请检查导出的文件是否完整，重新生成后再上传"),
    "unsupported_format": ("不是系统能读取的文件格式", "请另存为PDF、Word（DOCX/DOC/WPS）、OFD或TXT后上传；多个文件请打包为ZIP"),
    "encrypted": ("文件设有密码，无法打开", "请去除打开密码（或导出不加密的版本）后重新上传"),
    "corrupt": ("文件已损坏或不完整，无法读取", "请用原软件重新导出或另存为PDF后上传"),
    "limit_exceeded": ("文件超出处理限制", "请拆分文件、压缩图片或分批上传"),
    "unsafe_archive": ("压缩包中有不安全的文件路径或链接，该项未解压", "请把文件直接放在压缩包中重新打包后上传"),
    "timeout": ("文件处理超时，已停止", "请检查文件是否过于复杂（如超大图片、上千页），必要时另存为PDF后重新上传"),
    "converter_missing": ("服务器未安装读取.doc/.wps所需的组件", "请另存为DOCX后上传，或联系系统管理员"),
    "no_text": ("文件中没有可识别的文字", "如是扫描件，请确认扫描清晰；空白文件请补充内容后重新上传"),
    "gave_up": ("文件多次处理均未完成", "请联系系统管理员查看处理日志，或另存为PDF后重新上传"),
    "internal_error": ("系统处理该文件时出错", "请稍后重试；如仍失败，请联系系统管理员"),
    "render_failed": ("该页无法生成页面图像", "可下载原文件查看该页"),
    "unauthorized": ("未登录或令牌无效", "请粘贴有效的访问令牌后重试"),
    "forbidden": ("您的账号无权进行此操作", "如需权限，请联系系统管理员"),
    "not_found": ("没有找到该对象，或您无权查看", "请核对链接或编号"),
    "unknown_measure": ("激励措施编号不在本年度措施目录中", "请使用目录中的措施编号（1–30）"),
    "invalid_request": ("请求内容不符合要求", "请按提示修改后重试"),
    "too_large": ("上传内容超过大小限制", "请分批上传，或拆分较大的文件"),
    "region_not_declared": ("该地区未申报此项措施", "只有申报了该措施的地区可列入推荐名单；确需列入请勾选“经审核确认列入”并说明理由"),
    "duplicate_region": ("名单中有重复的地区", "请删去重复的一项"),
    "justification_required": ("缺少推荐理由", "请为每个地区填写推荐理由"),
    "method_not_allowed": ("不支持该请求方式", "请核对接口说明"),
}

# (code, pattern over the technical reason, a more precise "what happened"; {0}, {1} … are its groups)
PRECISE: list[tuple[str, re.Pattern[str], str]] = [(code, re.compile(pattern), text) for code, pattern, text in [
    ("limit_exceeded", r"has (\d+) pages, more than the limit of (\d+)", "文件共{0}页，超过{1}页的上限"),
    ("limit_exceeded", r"is (\d+) bytes, more than the limit|larger than the (\d+)-byte limit", "文件过大，超过单个文件大小上限"),
    ("limit_exceeded", r"unpacks to more than (\d+) files", "压缩包解压后超过{0}个文件（含嵌套压缩包）"),
    ("limit_exceeded", r"holds (\d+) (?:files|parts), more than the limit of (\d+)", "压缩包或文件内部包含{0}个部件，超过{1}个的上限"),
    ("limit_exceeded", r"nested more than (\d+) deep", "压缩包嵌套超过{0}层"),
    ("limit_exceeded", r"compression ratio|zip bomb|decompression bomb|unpacks to \d+ MiB|total-size limit",
     "文件解压后体积异常巨大（疑似“压缩炸弹”）"),
    ("limit_exceeded", r"too large to decode|pixels, over the limit", "文件中的图片尺寸异常巨大"),
    ("limit_exceeded", r"memory limit|signal \d+", "处理该文件需要的内存超过上限"),
    ("limit_exceeded", r"output limit|too large to hand back", "文件内容过多，超过单个文件的处理上限"),
    ("timeout", r"CPU-time limit", "文件处理占用的计算时间超过上限，已停止"),
    ("timeout", r"LibreOffice did not finish", "Word 97 文件转换超时"),
    ("encrypted", r"unsupported security handler", "PDF使用了不支持的加密方式"),
    ("encrypted", r"archive member is encrypted", "压缩包中的该文件设有密码"),
    ("corrupt", r"zip (?:archive|container)['’]?s? (?:directory )?is damaged|damaged or truncated \(.*zip", "压缩包已损坏或不完整"),
    ("corrupt", r"member (?:could not be extracted|is larger than its header)", "压缩包中的该文件已损坏"),
    ("corrupt", r"PDF is damaged|not a valid PDF|PDF has no (?:readable )?pages", "PDF文件已损坏或不完整"),
    ("corrupt", r"DOCX package is damaged|DOCX file could not", "Word文件（DOCX）已损坏或不完整"),
    ("corrupt", r"not a Word 97-2003 document|Word document stream|OLE2 container", "Word 97 文件（DOC/WPS）已损坏"),
    ("corrupt", r"LibreOffice could not", "Word 97 文件（DOC/WPS）无法转换读取"),
    ("corrupt", r"OFD", "OFD文件已损坏或不完整"),
    ("corrupt", r"parser crashed|parser process", "读取程序在处理该文件时中止（文件可能已损坏）"),
    ("corrupt", r"stored original is missing", "服务器上找不到该文件的原件"),
    ("corrupt", r"encoding could not be determined", "文本文件的字符编码无法识别"),
    ("unsupported_format", r"RAR archive", "这是RAR压缩包，系统只解压ZIP"),
    ("unsupported_format", r"7-Zip archive", "这是7-Zip压缩包，系统只解压ZIP"),
    ("unsupported_format", r"gzip file", "这是gzip压缩文件，系统只解压ZIP"),
    ("unsupported_format", r"program", "这是程序文件，不是文档"),
    ("unsupported_format", r"web page|HTML", "这是网页（HTML），不是文档"),
    ("unsupported_format", r"SVG image", "这是SVG图形，不是文档"),
    ("unsupported_format", r"spreadsheet|Excel|XLS", "这是电子表格（Excel），系统不读取表格文件"),
    ("unsupported_format", r"presentation|PowerPoint|PPT", "这是演示文稿（PPT），系统不读取演示文稿"),
    ("unsupported_format", r"RTF", "这是RTF文档，系统不直接读取"),
    ("unsupported_format", r"OpenDocument", "这是OpenDocument文档，系统不直接读取"),
    ("unsupported_format", r"unrecognised binary content", "无法识别的文件内容"),
    ("unsafe_archive", r"symbolic link", "压缩包中的该项是符号链接，不是文件"),
    ("unsafe_archive", r"escapes the archive", "压缩包中的该项路径指向压缩包之外"),
    ("no_text", r"OCR is off", "文件中没有文字层（扫描件），且未启用文字识别（OCR）"),
    ("unknown_measure", r"measure (\d+) is not in the campaign catalog \((.*)\)", "措施{0}不在本年度措施目录中（目录为措施{1}）"),
    ("no_text", r"invisible|zero-width", "文件中只有不可见字符"),
    ("empty_file", r"archive holds no files", "压缩包中没有文件"),
]]


def error_text(code: str | None, reason: str | None = None, *, name: str | None = None) -> str:
    """A failed file's or request's message in Chinese: what happened, and what to do next.

    >>> error_text("limit_exceeded", "a.pdf: the PDF has 3000 pages, more than the limit of 2000", name="a.pdf")
    'a.pdf：文件共3000页，超过2000页的上限。请拆分文件、压缩图片或分批上传。'
    """
    what, todo = ERRORS.get(code or "", ERRORS["internal_error"])
    for c, pattern, text in PRECISE:
        if c == code and reason:
            m = pattern.search(reason)
            if m:
                what = text.format(*[g or "" for g in m.groups()])
                break
    head = f"{name}：" if name else ""
    return f"{head}{what}。{todo}。"


# warnings a document carries: English from the parsers -> Chinese
WARNINGS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), t) for p, t in [
    (r"^page (\d+): OCR \((.*)\)$", "第{0}页的文字层无法使用（{reason}），已用文字识别（OCR）读取，数字请核对原件"),
    (r"^page (\d+): OCR of (\d+|1) embedded images?; the text layer is kept$", "第{0}页中的图片已用文字识别（OCR）读取，正文文字层保留"),
    (r"^page (\d+): OCR of .*; the text layer is kept$", "第{0}页中的图片已用文字识别（OCR）读取，正文文字层保留"),
    (r"^page (\d+): needs OCR \((.*)\) but OCR is off", "第{0}页需要文字识别（{reason}），但未启用OCR，该页内容可能缺失"),
    (r"^page (\d+): needs OCR \((.*)\) but the limit", "第{0}页需要文字识别，但已超过单个文件的OCR页数上限"),
    (r"^page (\d+): needs OCR \((.*)\) but", "第{0}页需要文字识别，但页面无法生成图像"),
    (r"^page (\d+): .* not OCR'd \(OCR is off\)$", "第{0}页中的图片未做文字识别（未启用OCR）"),
    (r"^page (\d+): .* not OCR'd", "第{0}页中的图片未做文字识别"),
    (r"^page (\d+): (\d+) icon-font glyphs? \(Private Use Area\) removed$", "第{0}页删去了{1}个图标字体符号（不影响正文）"),
    (r"^page (\d+): could not be read", "第{0}页无法读取，已跳过"),
    (r"^page (\d+): image-only page not read; OCR is off$", "第{0}页只有图片，未启用文字识别（OCR），未读取"),
    (r"^page (\d+): image-only page not read", "第{0}页只有图片，已超过OCR页数上限，未读取"),
    (r"^page (\d+): OCR \(image-only page\)$", "第{0}页只有图片，已用文字识别（OCR）读取"),
    (r"^page (\d+): .*(?:missing|not defined|not in the resources)", "第{0}页引用的部件缺失，该部分内容未读取"),
    (r"^page (\d+): image .* could not be decoded|^page (\d+): image .* pixels", "第{0}页中有图片无法读取"),
    (r"^PDF: the cross-reference table was damaged and rebuilt$", "PDF文件结构有损坏，已自动修复后读取，请核对内容是否完整"),
    (r"^PDF: the page tree loops back on itself", "PDF页面目录有循环，已修复，每页只读取一次"),
    (r"^PDF: the page tree lists the same page more than once", "PDF页面目录重复列出同一页，已修复，每页只读取一次"),
    (r"^PDF: the page tree claims (\d+) pages but has (\d+)$", "PDF声明有{0}页，实际只有{1}页，已按实际页数读取"),
    (r"^PDF: page (\d+) has an unusable", "PDF第{0}页的页面尺寸异常，文字已读取，但无法生成页面图像"),
    (r"^the file is named as (\w+) but its content is (\w+)", "文件扩展名是{0}，但内容是{1}，已按{1}读取；请核对是否上传了正确的文件"),
    (r"^macro-enabled Word document", "这是带宏的Word文档（.docm），已读取文字，宏已删除、未运行"),
    (r"^image not OCR'd: OCR is off$", "图片文件未做文字识别（未启用OCR）"),
    (r"^embedded image .*: not OCR'd", "文档中有一张图片无法识别"),
    (r"^OFD: .*signature|^OFD: .*stamp", "OFD文件中的电子签章和印章已记录，未作为正文读取"),
    (r"^OFD: .*malformed XML", "OFD文件部分内容格式有误，已尽量读取"),
    (r"^OFD: document \d+ skipped", "OFD文件中有一份文档缺失，已跳过"),
    (r"^OFD: ", "OFD文件中有部件缺失或无法读取，该部分内容未读取"),
]]
OCR_REASONS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), t) for p, t in [
    (r"cid:N", "字体编码缺失"), (r"U\+FFFD", "含无法解码的字符"), (r"Private Use Area", "字体映射错误"),
    (r"mojibake", "编码错乱"), (r"control characters", "含控制字符"), (r"repeated character", "同一字符异常重复"),
    (r"doubled characters", "字符成对重复"), (r"consecutive", "字形编码错乱"), (r"rare characters", "生僻字比例异常"),
    (r"CJK ratio", "汉字比例异常"), (r"image-only|no text layer", "只有图片没有文字层"), (r"image covers", "页面主要是图片"),
]]


def warning_text(warning: str) -> str:
    """A document warning in Chinese.

    >>> warning_text("page 1: OCR (runs of one repeated character (14))")
    '第1页的文字层无法使用（同一字符异常重复），已用文字识别（OCR）读取，数字请核对原件'
    """
    for pattern, text in WARNINGS:
        m = pattern.search(warning)
        if m:
            groups = [g for g in m.groups() if g is not None]
            reason = _ocr_reason(groups[1]) if len(groups) > 1 and "{reason}" in text else ""
            return text.format(*groups, reason=reason)
    return "文件读取时有一处提示，详情见处理日志"


def _ocr_reason(technical: str) -> str:
    for pattern, text in OCR_REASONS:
        if pattern.search(technical):
            return text
    return "文字层不可用"
