// Shared helpers of the jili UI: JSON calls, DOM building (never innerHTML with data), labels, sorting.

export const me = {
  role: document.body.dataset.role,
  region: document.body.dataset.region || null,
  name: document.body.dataset.name,
  leadUnits: (document.body.dataset.leadUnits || "").split(",").filter(Boolean),
};
export const canReview = me.role === "admin" || me.role === "reviewer";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Call the JSON API with the session cookie. On 401 go to sign-in (the cookie expired or was revoked). */
export async function api(path, { method = "GET", body, signal } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" }, signal };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) {
    location.assign(`/ui/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, "unauthorized", "请重新登录");
  }
  const data = res.headers.get("content-type")?.includes("json") ? await res.json() : null;
  if (!res.ok) {
    const err = data?.error || {};
    throw new ApiError(res.status, err.code || "http_error", err.message || `HTTP ${res.status}`);
  }
  return data;
}

/** el("a", {href: "/x", class: "btn"}, "text", child) — attributes set as properties or attributes; children as text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Text with [start, end) spans wrapped in <mark> (from the search API's highlight offsets). `cls` is a
 *  class for every mark, or a function of the marked text (related terms are marked apart). */
export function highlighted(text, spans = [], cls = null) {
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const [s, e] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (s < at) continue;
    const marked = text.slice(s, e);
    frag.append(text.slice(at, s), el("mark", { class: typeof cls === "function" ? cls(marked) : cls }, marked));
    at = e;
  }
  frag.append(text.slice(at));
  return frag;
}

/** Spans of each needle inside text (plain substring search; used for figures and query terms). */
export function findSpans(text, needles) {
  const spans = [];
  for (const n of needles) {
    if (!n) continue;
    let i = text.indexOf(n);
    while (i >= 0) {
      if (!spans.some(([s, e]) => i < e && i + n.length > s)) spans.push([i, i + n.length]);
      i = text.indexOf(n, i + n.length);
    }
  }
  return spans;
}

export function announce(message) {
  const live = document.getElementById("live");
  if (!live) return;
  live.textContent = "";
  setTimeout(() => { live.textContent = message; }, 30);
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function errorBox(err) {
  return el("p", { class: "alert alert-error", role: "alert" }, `出错了：${err.message || err}`);
}

export const STATUS = {
  queued: "排队中", processing: "处理中", done: "已完成", duplicate: "已入库（重复文件）", failed: "失败",
  uploading: "上传中", expanded: "已解压", waiting: "等待上传",
};

export const ERROR_REASONS = {
  empty_file: "空文件", encrypted: "文件已加密，需要密码才能打开", corrupt: "文件已损坏，无法读取",
  unsupported_format: "不支持的文件格式", limit_exceeded: "超出大小或数量限制", unsafe_archive: "压缩包不安全（含越界路径）",
  timeout: "处理超时", converter_missing: "服务器缺少文档转换组件", no_text: "未识别到文字",
  gave_up: "多次处理未完成", internal_error: "处理出错", missing_original: "原始文件丢失", empty_archive: "压缩包为空",
  store_error: "保存失败",
};

/** The reason a file failed: a short Chinese label for its error code, the server's Chinese message
 *  (`error_message`: what happened, what to do), and the technical reason (`error_detail`, in English)
 *  folded away in 技术详情 for whoever supports the users. */
export function reasonOf(file) {
  const label = ERROR_REASONS[file.error_code] || "处理失败";
  const message = (file.error_message || "").replace(/^<input>:\s*/, "");
  const detail = file.error_detail && file.error_detail !== message ? file.error_detail : null;
  return [el("strong", {}, label), message ? el("span", { class: "reason-text" }, message) : null,
    detail ? el("details", { class: "reason-detail" }, el("summary", {}, "技术详情"), el("code", {}, detail)) : null];
}

/** An applicant and its parts: a township or platform by its own name, its 区县 apart.
 *  ("草堂镇（奉节县）", "奉节县") -> {name: "草堂镇", county: "奉节县"}; ("合川区", "合川区") -> {name: "合川区", county: null}.
 *  Without `county` (search hits, experiences) the name's own “（区县）” suffix says it. */
export function splitApplicant(region, county = null) {
  if (!region) return { name: "未识别地区", county: null };
  if (county && county !== region) {
    const suffix = `（${county}）`;
    return { name: region.endsWith(suffix) ? region.slice(0, -suffix.length) : region, county };
  }
  if (!county) {
    const m = /^(.+?)（([^（）]+)）$/.exec(region);
    if (m) return { name: m[1], county: m[2] };
  }
  return { name: region, county: null };
}

/** The applicant as shown everywhere: its own name, and its 区县 as a small label where that differs. */
export function applicant(region, county = null, { cls = null } = {}) {
  const a = splitApplicant(region, county);
  return el("span", { class: `applicant${cls ? ` ${cls}` : ""}` }, el("span", { class: "applicant-name" }, a.name),
    a.county ? [" ", el("small", { class: "applicant-county", title: `所属区县：${a.county}` }, a.county)] : null);
}

const STRENGTH_CLASS = { "强": "strong", "中": "medium", "弱": "weak" };
export const STRENGTH_RANK = { "强": 3, "中": 2, "弱": 1 };

/** Relevance as a reviewer reads it (index/relevance.py): a 强/中/弱 badge, never a bare 0.999. The reason
 *  ("命中：高标准农田、粮食总产量", "审核人员确认") is shown beside it with `showReason`, else in its tooltip
 *  and for screen readers. */
export function strengthBadge(item, { showReason = false, prefix = "相关度" } = {}) {
  const s = item?.strength;
  if (!s) return null;
  const reason = item.reason || "";
  const badge = el("span", { class: `strength strength-${STRENGTH_CLASS[s] || "weak"}`, "data-testid": "strength",
    title: reason ? `${prefix}${s}：${reason}` : `${prefix}${s}` }, s);
  if (!showReason) return [badge, reason ? el("span", { class: "sr-only" }, `（${reason}）`) : null];
  return el("span", { class: "strength-line" }, el("span", { class: "strength-label" }, prefix), badge,
    reason ? el("span", { class: "strength-reason", "data-testid": "strength-reason" }, reason) : null);
}

export const LATE_SOURCES = { document: "成文日期", file: "文件元数据（创建日期）", upload: "上传时间" };

/** A 逾期 badge; its tooltip says what decided it ("依据成文日期 2023-02-10"). */
export function lateBadge(why = "", testid = "late-badge") {
  return el("span", { class: "badge badge-warn late-badge", "data-testid": testid,
    title: why ? `逾期申报：${why}` : "逾期申报：晚于申报截止日期" }, "逾期");
}

/**
 * Cues on a scroll box that hides content: a shadow on each side with more to see, a sticky header's
 * shadow once rows pass under it, and a hint (“向右滑动查看更多”) while there is more to the right or below.
 * The box sits in a `.scroll-frame` (which carries the classes and the hint); the cues follow scrolling,
 * resizing and new content. Returns the update function.
 */
export function scrollCue(box) {
  const frame = box.closest(".scroll-frame") || box.parentElement;
  let hint = frame.querySelector(":scope > .scroll-hint");
  if (!hint) {
    hint = el("span", { class: "scroll-hint", "aria-hidden": "true" });
    frame.append(hint);
  }
  let queued = false;
  const update = () => {
    queued = false;
    const maxX = box.scrollWidth - box.clientWidth;
    const maxY = box.scrollHeight - box.clientHeight;
    const right = box.scrollLeft < maxX - 1;
    const down = box.scrollTop < maxY - 1;
    frame.classList.toggle("more-left", box.scrollLeft > 1);
    frame.classList.toggle("more-right", right);
    frame.classList.toggle("more-up", box.scrollTop > 1);
    frame.classList.toggle("more-down", down);
    const text = right ? "向右滑动查看更多 →" : down ? "向下滚动查看更多 ↓" : "";
    if (hint.textContent !== text) hint.textContent = text;
    hint.hidden = !text;
  };
  const later = () => {
    if (!queued) { queued = true; requestAnimationFrame(update); }
  };
  box.addEventListener("scroll", later, { passive: true });
  const resize = new ResizeObserver(later);
  resize.observe(box);
  const watch = () => { for (const c of box.children) resize.observe(c); };
  watch();
  new MutationObserver(() => { watch(); later(); }).observe(box, { childList: true, subtree: true });
  update();
  return update;
}

export const FIGURE_KINDS = { amount: "金额", quantity: "数量", percent: "比例", change: "增减", rank: "排名" };

const CHANGE_WORDS = { up: { "百分点": "提高", "位": "上升" }, down: { "位": "下降" } };

/** A figure as a reader says it: the direction word (增长/下降/增加/减少) before a change, and the unit
 *  after a bare table cell ("21437" under 单位：万元 reads 2.14亿元). Mirrors index.phrases.figure_phrase. */
export function figureText(f) {
  let raw = f.raw;
  if (/^[-\d.,]+$/.test(raw) && f.unit && f.value != null) {
    const v = Number(f.value);
    const scaled = Math.abs(v) >= 1e8 && f.unit !== "%" ? `${+(v / 1e8).toFixed(2)}亿` : Math.abs(v) >= 1e4 && f.unit !== "%" ? `${+(v / 1e4).toFixed(2)}万` : `${+v.toFixed(2)}`;
    raw = `${scaled}${f.unit}`;
  }
  if (!f.direction) return raw;
  const change = f.kind === "change";
  const word = CHANGE_WORDS[f.direction]?.[f.unit] || (f.direction === "up" ? (change ? "增长" : "增加") : (change ? "下降" : "减少"));
  return `${word}${raw}`;
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (x) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function pages(p, end) {
  return !end || p === end ? `第${p}页` : `第${p}–${end}页`;
}

export function documentLink(docId, passageId, extra = {}) {
  const q = new URLSearchParams({ ...(passageId ? { passage: passageId } : {}), ...extra });
  const qs = q.toString();
  return `/ui/documents/${encodeURIComponent(docId)}${qs ? `?${qs}` : ""}`;
}

/**
 * Make a table sortable by its header buttons (th[data-key] > button). `rows()` returns the data,
 * `render(sorted)` draws them. aria-sort on the header says the order to screen readers.
 */
export function sortable(table, { rows, render, initial }) {
  let key = initial?.key;
  let dir = initial?.dir || "descending";
  const headers = [...table.querySelectorAll("th[data-key]")];
  const apply = () => {
    const th = headers.find((h) => h.dataset.key === key);
    const type = th?.dataset.type || "text";
    const sign = dir === "ascending" ? 1 : -1;
    const data = [...rows()];
    if (key) {
      data.sort((a, b) => {
        const x = a[key];
        const y = b[key];
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return type === "number" ? sign * (x - y) : sign * String(x).localeCompare(String(y), "zh-CN");
      });
    }
    for (const h of headers) h.setAttribute("aria-sort", h.dataset.key === key ? dir : "none");
    render(data);
  };
  for (const th of headers) {
    th.querySelector("button")?.addEventListener("click", () => {
      if (key === th.dataset.key) dir = dir === "ascending" ? "descending" : "ascending";
      else {
        key = th.dataset.key;
        dir = th.dataset.type === "number" && key !== "rank" ? "descending" : "ascending";
      }
      apply();
      announce(`已按${th.textContent.trim()}${dir === "ascending" ? "升序" : "降序"}排列`);
    });
  }
  return { refresh: apply };
}

/** The campaign's deadlines with days left, and the late declarations (GET /ui/deadlines). */
export function deadlinesPanel(d) {
  const items = d.deadlines.map((x) => {
    const state = x.days_left < 0 ? el("span", { class: "badge" }, "已截止")
      : el("span", { class: `badge ${x.days_left <= 7 ? "badge-warn" : "badge-ok"}` }, `剩 ${x.days_left} 天`);
    return el("li", { title: x.text }, el("span", { class: "deadline-date" }, x.date),
      el("span", {}, x.name, x.kind === "declaration" ? el("small", { class: "hint" }, "（申报截止）") : null), state);
  });
  // an archive's members by their own names (批量.zip!合川区/报告.pdf reads 合川区/报告.pdf, from 批量.zip)
  const late = d.late.length
    ? el("ul", { class: "late-list", "data-testid": "late-list" }, d.late.map((x) => el("li", { dataset: { document: x.document_id } },
      el("a", { href: documentLink(x.document_id), class: "late-name" }, x.archive_path || x.filename),
      x.archive_path ? el("small", { class: "hint late-archive" }, ` 压缩包：${x.filename}`) : null, " ",
      el("span", { class: "badge badge-warn" }, x.region ? applicant(x.region, x.county) : "未识别地区"),
      el("div", { class: "hint" }, x.reasons.join("；")))))
    : el("p", { class: "empty", "data-testid": "late-list" }, "没有逾期申报的材料。");
  const frag = document.createDocumentFragment();
  frag.append(el("p", { class: "hint" }, d.title), el("ul", { class: "deadline-list" }, items),
    el("h3", {}, `逾期申报${d.declaration_deadline ? `（申报截止 ${d.declaration_deadline}）` : ""}`), late);
  return frag;
}

let measureCache = null;
/** The measures the principal may see (reviewers: the ones they lead), cached per page. */
export async function measures() {
  measureCache ??= api("/api/measures").then((r) => r.measures);
  return measureCache;
}

/** Review actions on a passage (reviewers, admins): relabel, exemplary, cleared. */
export async function review(passageId, action, extra = {}) {
  return api(`/api/passages/${passageId}/review`, { method: "POST", body: { action, ...extra } });
}

/** Review states for passages: {id: {exemplary, cleared, history}}. */
export async function reviewStates(ids) {
  if (!canReview || !ids.length) return {};
  const q = new URLSearchParams();
  for (const id of ids) q.append("passage", id);
  return (await api(`/api/reviews?${q}`)).passages;
}

/** Buttons 改标 / 标为典型 / 准予宣传 for one passage; `onChange` runs after a successful action. */
export function reviewButtons(passage, state, { onRelabel, onChange }) {
  const ex = el("button", { type: "button", class: `btn btn-small${state?.exemplary ? " on" : ""}`,
    "aria-pressed": state?.exemplary ? "true" : "false", dataset: { action: "exemplary" } },
  state?.exemplary ? "★ 典型" : "☆ 标为典型");
  const cl = el("button", { type: "button", class: `btn btn-small${state?.cleared ? " on" : ""}`,
    "aria-pressed": state?.cleared ? "true" : "false", dataset: { action: "cleared" } },
  state?.cleared ? "✓ 已准予宣传" : "准予宣传");
  const rl = el("button", { type: "button", class: "btn btn-small", dataset: { action: "relabel" } }, "改标");
  const s = { exemplary: !!state?.exemplary, cleared: !!state?.cleared };
  const sync = () => {
    ex.classList.toggle("on", s.exemplary);
    ex.setAttribute("aria-pressed", String(s.exemplary));
    ex.textContent = s.exemplary ? "★ 典型" : "☆ 标为典型";
    cl.classList.toggle("on", s.cleared);
    cl.setAttribute("aria-pressed", String(s.cleared));
    cl.textContent = s.cleared ? "✓ 已准予宣传" : "准予宣传";
  };
  ex.addEventListener("click", async () => {
    const action = s.exemplary ? "not_exemplary" : "exemplary";
    ex.disabled = true;
    try {
      await review(passage.id, action);
      // marking exemplary and clearing for publicity are separate decisions (index/reviews.py)
      s.exemplary = action === "exemplary";
      sync();
      announce(s.exemplary ? "已标为典型（如需对外宣传，请再点“准予宣传”）" : "已取消典型标记");
      onChange?.(s);
    } catch (err) {
      announce(`操作失败：${err.message}`);
    } finally {
      ex.disabled = false;
    }
  });
  cl.addEventListener("click", async () => {
    const action = s.cleared ? "uncleared" : "cleared";
    cl.disabled = true;
    try {
      await review(passage.id, action);
      s.cleared = action === "cleared";
      sync();
      announce(s.cleared ? "已准予宣传" : "已撤回宣传");
      onChange?.(s);
    } catch (err) {
      announce(`操作失败：${err.message}`);
    } finally {
      cl.disabled = false;
    }
  });
  rl.addEventListener("click", () => onRelabel(passage));
  return el("div", { class: "passage-actions", role: "group", "aria-label": "审核操作" }, rl, ex, cl);
}

/**
 * The relabel dialog (templates/relabel_dialog.html). Opens with the passage's current measures
 * checked; resolves with the new measures, or null when cancelled.
 */
export async function relabelDialog(passage, current) {
  const dialog = document.getElementById("relabel-dialog");
  const options = document.getElementById("relabel-options");
  const error = document.getElementById("relabel-error");
  const note = document.getElementById("relabel-note");
  const list = await measures();
  document.getElementById("relabel-passage").textContent =
    `${passage.heading ? `${passage.heading}：` : ""}${passage.text.slice(0, 80)}${passage.text.length > 80 ? "…" : ""}`;
  clear(options, list.map((m) => el("label", {},
    el("input", { type: "checkbox", name: "measure", value: m.id, checked: current.includes(m.id) }),
    `措施${m.id} ${m.title}`)));
  error.hidden = true;
  note.value = "";
  dialog.showModal();
  options.querySelector("input")?.focus();
  return new Promise((resolve) => {
    const form = document.getElementById("relabel-form");
    const cancel = document.getElementById("relabel-cancel");
    const done = (value) => {
      form.removeEventListener("submit", onSubmit);
      cancel.removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      resolve(value);
    };
    const onCancel = () => { dialog.close(); done(null); };
    const onSubmit = async (ev) => {
      ev.preventDefault();
      const chosen = [...options.querySelectorAll("input:checked")].map((i) => Number(i.value));
      if (!chosen.length) {
        error.textContent = "请至少选择一项措施。";
        error.hidden = false;
        return;
      }
      try {
        await review(passage.id, "relabel", { measures: chosen, note: note.value || null });
        dialog.close();
        announce(`已改标为措施 ${chosen.join("、")}`);
        done(chosen);
      } catch (err) {
        error.textContent = `保存失败：${err.message}`;
        error.hidden = false;
      }
    };
    form.addEventListener("submit", onSubmit);
    cancel.addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
  });
}

// -- 同时检索: the thesaurus's related terms, each switched on or off -------------------------------------------

const chipOrder = new Map(); // expansion term -> its related terms in the order first shown

/**
 * The related terms searched with the query (`expansions` of GET /api/search and /api/experiences), as
 * “同时检索：生活污水、截污纳管…” with each term a toggle button (aria-pressed). The API lists switched-off
 * terms apart (`off`); each term keeps its place as it is switched. `onToggle(term, on)` runs the search again.
 * An empty list empties the box (it keeps its reserved line, so that nothing below moves).
 */
export function renderExpansions(box, expansions = [], { onToggle } = {}) {
  const groups = expansions.filter((e) => e.related.length || e.off.length);
  if (!groups.length) {
    clear(box);
    return;
  }
  const many = groups.length > 1;
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.word : null;
  clear(box, el("span", { class: "expansions-label" }, "同时检索："), groups.map((e, gi) => {
    const known = chipOrder.get(e.term) || [];
    const words = [...known, ...[...e.related, ...e.off].filter((w) => !known.includes(w))];
    chipOrder.set(e.term, words);
    const shown = words.filter((w) => e.related.includes(w) || e.off.includes(w));
    return el("span", { class: "expansion-group", role: "group", "aria-label": `“${e.term}”的相关词`, dataset: { term: e.term } },
      gi ? el("span", { class: "expansion-sep", "aria-hidden": "true" }, "；") : null,
      many ? el("span", { class: "expansion-term" }, `${e.term}：`) : null,
      shown.map((w, i) => {
        const on = !e.off.includes(w);
        return [i ? el("span", { class: "expansion-sep", "aria-hidden": "true" }, "、") : null,
          el("button", { type: "button", class: `chip-toggle${on ? "" : " off"}`, "aria-pressed": String(on),
            "data-testid": "expansion-chip", dataset: { word: w },
            title: on ? `同时检索“${w}”（与“${e.term}”相关）；点击不再检索此词` : `已关闭“${w}”；点击重新检索此词`,
            onclick: () => onToggle?.(w, !on) }, w)];
      }));
  }), el("span", { class: "expansions-note hint" }, "点击相关词可关闭或恢复"));
  // a keyboard user keeps their place on the chip just switched
  if (focused) [...box.querySelectorAll("[data-word]")].find((b) => b.dataset.word === focused)?.focus();
}

/** The related terms a hit's marks may show (for marking them apart from the words typed). */
export function relatedMarker(expansions = []) {
  const related = expansions.flatMap((e) => e.related);
  const typed = expansions.map((e) => e.term);
  return (marked) => (related.some((r) => marked.includes(r)) && !typed.some((t) => marked.includes(t)) ? "related" : null);
}

/** The badge of a hit found only through a related term; its tooltip names the terms it holds. */
export function relatedBadge(hit, expansions = []) {
  if (!hit.related_only) return null;
  const text = hit.text || hit.snippet || "";
  const words = [...new Set(expansions.flatMap((e) => [e.term, ...e.related]))].filter((w) => text.includes(w));
  return el("span", { class: "badge badge-related", "data-testid": "related-badge",
    title: `不含输入的检索词原文，通过同时检索的${words.length ? `“${words.join("”“")}”` : "相关词"}找到` }, "相关词");
}

// -- 相似段落: more like this ------------------------------------------------------------------------------

const similarCache = new Map();
let similarSeq = 0;

function similarItem(h) {
  return el("li", { class: "similar-item", dataset: { passage: h.passage_id } },
    el("div", { class: "similar-head" },
      h.region ? el("span", { class: "badge region-badge" }, applicant(h.region)) : null,
      el("a", { href: documentLink(h.document_id, h.passage_id), "data-testid": "similar-link" }, h.citation || h.filename),
      h.late ? lateBadge("该文件晚于申报截止日期报送", "similar-late") : null),
    h.heading ? el("p", { class: "similar-heading" }, h.heading) : null,
    el("p", { class: "similar-snippet" }, highlighted(h.snippet, h.snippet_highlights)));
}

/**
 * “相似段落” for one passage (GET /api/passages/{id}/similar): a button that opens, inside `host`, a list of the
 * passages most like it (its distinctive words searched together), each with its applicant, file and page and
 * a link to it in its document. `open` opens it at once (a list drawn again keeps its open panels);
 * `onToggle(open)` says when it opens or closes.
 */
export function similarButton(passageId, host, { size = 5, open = false, onToggle = null } = {}) {
  const id = `similar-${passageId}-${++similarSeq}`;
  const button = el("button", { type: "button", class: "btn btn-small similar-button", "aria-expanded": "false",
    "aria-controls": id, "data-testid": "similar-button", title: "查找与本段内容相近的其他段落" }, "相似段落");
  let panel = null;
  const load = async (list, basis) => {
    try {
      if (!similarCache.has(passageId)) similarCache.set(passageId, api(`/api/passages/${passageId}/similar?size=${size}`));
      const r = await similarCache.get(passageId);
      basis.textContent = r.query ? `依据：${r.query.split(/\s+/).slice(0, 6).join("、")}` : "";
      clear(list, r.hits.length ? r.hits.map(similarItem) : el("li", { class: "empty" }, "没有找到内容相近的其他段落。"));
      announce(`找到 ${r.hits.length} 个相似段落`);
    } catch (err) {
      similarCache.delete(passageId);
      clear(list, el("li", {}, errorBox(err)));
    } finally {
      panel.setAttribute("aria-busy", "false");
    }
  };
  const show = () => {
    if (!panel) {
      const list = el("ol", { class: "similar-list" }, el("li", { class: "hint" }, "正在查找…"));
      const basis = el("span", { class: "hint similar-basis" });
      panel = el("section", { class: "similar-panel", id, "data-testid": "similar-panel", "aria-label": "相似段落",
        "aria-busy": "true" },
      el("div", { class: "similar-top" }, el("h3", { class: "similar-title" }, "相似段落"), basis,
        el("button", { type: "button", class: "btn btn-small similar-close", onclick: () => hide() }, "收起")),
      list);
      host.append(panel);
      load(list, basis);
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.classList.add("on");
  };
  const hide = () => {
    if (panel) panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.classList.remove("on");
    button.focus();
    onToggle?.(false);
  };
  button.addEventListener("click", () => {
    if (button.getAttribute("aria-expanded") === "true") hide();
    else {
      show();
      onToggle?.(true);
    }
  });
  if (open) show();
  return button;
}

/** “100%” from a similarity of 0–1. */
export const percent = (x) => `${Math.round((Number(x) || 0) * 100)}%`;
