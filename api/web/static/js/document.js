// Document view: the passages in reading order with the chosen one highlighted, and the rendered PDF
// page it came from with the passage's boxes drawn on it; review actions for reviewers.
import {
  api, canReview, clear, documentLink, el, errorBox, FIGURE_KINDS, figureText, findSpans, me, pages, percent,
  relabelDialog, reviewButtons, reviewStates, similarButton, strengthBadge,
} from "./common.js";

const main = document.getElementById("main");
const docId = main.dataset.document;
const pageCount = Number(main.dataset.pages) || 1;
const pageImages = main.dataset.pageImages === "true";
const params = new URLSearchParams(location.search);
const query = (params.get("q") || "").trim();
const list = document.getElementById("passages");
let doc = null;
let states = {};
let marks = { passages: {}, figures: {} }; // 核查: copied passages and contradicting figures (GET …/checks)
const openSimilar = new Set(); // passages whose 相似段落 stay open when the list is drawn again
let selected = params.get("passage") ? Number(params.get("passage")) : null;
let shownPage = Number(params.get("page")) || null;
const boxCache = new Map();
const RENDER_SCALE = 1.5; // page images are rendered at 1.5 px per PDF point: boxes in points scale by it

/** A passage's measures, each with its relevance 强/中/弱 and the reason (never the model's bare score). */
function labelChips(labels) {
  return labels.map((l) => el("span", { class: `badge label-chip${l.origin === "review" ? " badge-ok" : ""}`,
    title: l.origin === "review" ? "审核员标注" : "模型标注" },
  `措施${l.measure}${l.origin === "review" ? "（审核）" : ""}`, strengthBadge(l, { prefix: `与措施${l.measure}的相关度` })));
}

/** Where another passage or figure sits: 江津区《江津区-…申报材料.txt》第1页, linked when the reader may open it;
 *  this document's own figures as 本文件第N页. */
function elsewhere(o, region = null) {
  if (o.document_id === docId) return `本文件${pages(o.page)}`;
  const name = `《${o.filename}》`;
  return [region || "", o.document_id ? el("a", { href: documentLink(o.document_id, o.passage_id) }, name) : name, o.page ? pages(o.page) : ""];
}

/** A copied passage: whose text it shares and how much. An uploader learns that another applicant's material
 *  is alike, never which file (the API leaves it out). */
function copyMark(c) {
  const o = c.other;
  const order = c.first ? "本段在先" : o.filename ? `${o.region || "对方"}材料在先` : "其他地区材料在先";
  return el("li", { class: "check-mark check-copy", "data-testid": "copy-mark" },
    el("span", { class: "check-kind" }, "段落雷同"), " ",
    o.filename ? ["与", elsewhere(o, o.region), " 相似 "] : "与其他地区材料相似 ",
    el("strong", {}, percent(c.similarity)), el("span", { class: "hint" }, `（${order}）`));
}

/** A figure that contradicts another (or cannot be true): 粮食播种面积142.6万亩 与《…》第1页 158.6万亩 不一致. */
function figureMarks(f) {
  return (marks.figures[f.id] || []).map((k) => el("li", { class: "check-mark check-figure", "data-testid": "figure-mark",
    title: k.reason },
  el("span", { class: "check-kind" }, k.kind === "disagree" ? "数据矛盾" : "数据异常"), " ",
  el("strong", {}, `${k.metric || f.metric || ""}${f.raw}`), " ",
  k.others.length
    ? k.others.map((g, i) => [i ? "；" : "", "与", elsewhere(g), ` ${g.raw} 不一致`])
    : k.reason,
  el("span", { class: "sr-only" }, `（${k.reason}）`)));
}

function checkMarks(p, figures) {
  const copies = marks.passages[p.id] || [];
  const items = [...copies.map(copyMark), ...figures.flatMap(figureMarks)];
  return items.length ? el("ul", { class: "check-marks", "aria-label": "核查提示", "data-testid": "check-marks" }, items) : null;
}

function passageNode(p) {
  const own = doc.figures.filter((f) => f.passage_id === p.id);
  const flagged = own.filter((f) => marks.figures[f.id]);
  const conflicting = new Set(flagged.map((f) => f.raw));
  const spans = findSpans(p.text, own.map((f) => f.raw));
  const querySpans = query ? findSpans(p.text, query.split(/\s+/)) : [];
  const text = el("p", { class: "text" });
  // query terms in yellow; figures in blue where they do not overlap a query term (a contradicting one underlined)
  const merged = [...querySpans.map((s) => [...s, null]), ...spans.filter(([s, e]) => !querySpans.some(([a, b]) => s < b && e > a)).map((s) => [...s, "figure"])]
    .sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [s, e, cls] of merged) {
    const raw = p.text.slice(s, e);
    const bad = cls === "figure" && conflicting.has(raw);
    text.append(p.text.slice(at, s), el("mark", { class: bad ? "figure figure-conflict" : cls, title: bad ? "核查：数据不一致，见下方提示" : null }, raw));
    at = e;
  }
  text.append(p.text.slice(at));
  const isSelected = p.id === selected;
  const checks = checkMarks(p, flagged);
  const node = el("article", { class: `passage${isSelected ? " selected" : ""}${checks ? " has-checks" : ""}`, id: `p-${p.id}`,
    dataset: { passage: p.id, page: p.page },
    tabindex: isSelected ? "-1" : null,
    "aria-current": isSelected ? "true" : null, "data-testid": isSelected ? "selected-passage" : null },
  p.heading ? el("p", { class: "heading" }, p.heading) : null,
  text,
  checks,
  el("div", { class: "meta" },
    el("button", { type: "button", class: "page-link", onclick: () => select(p.id, false) }, pageImages ? `${pages(p.page, p.end_page)} · 在页面上显示` : pages(p.page, p.end_page)),
    el("span", { class: "chips labels" }, labelChips(p.labels)),
    p.source === "ocr" ? el("span", { class: "badge badge-warn" }, "OCR") : null));
  node.querySelector(".meta").append(similarButton(p.id, node, {
    open: openSimilar.has(p.id),
    onToggle: (open) => (open ? openSimilar.add(p.id) : openSimilar.delete(p.id)),
  }));
  if (isSelected && canReview) {
    const passage = { id: p.id, text: p.text, heading: p.heading };
    node.append(reviewButtons(passage, states[String(p.id)], {
      onRelabel: async () => {
        const chosen = await relabelDialog(passage, p.labels.map((l) => l.measure));
        if (chosen) {
          p.labels = chosen.map((m) => ({ measure: m, score: 1, eligible: true, origin: "review" }));
          render();
          document.getElementById(`p-${p.id}`)?.focus({ preventScroll: true });
        }
      },
      onChange: (s) => { states[String(p.id)] = { ...(states[String(p.id)] || {}), ...s }; },
    }));
  }
  return node;
}

/** 核查 in the panel's head: how many marks the document carries; each press brings the next marked passage
 *  into view. */
function checkSummary() {
  const box = document.getElementById("check-summary");
  const copies = Object.keys(marks.passages).length;
  const kinds = Object.values(marks.figures).map((ks) => (ks.some((k) => k.kind === "disagree") ? "disagree" : "impossible"));
  const disagree = kinds.filter((k) => k === "disagree").length;
  const impossible = kinds.length - disagree;
  if (!copies && !kinds.length) {
    clear(box);
    return;
  }
  let next = 0;
  const parts = [copies ? `段落雷同 ${copies} 处` : null, disagree ? `数据矛盾 ${disagree} 处` : null,
    impossible ? `数据异常 ${impossible} 处` : null].filter(Boolean);
  clear(box, el("button", { type: "button", class: "btn btn-small check-summary", title: "逐个查看带核查提示的段落",
    onclick: () => {
      const marked = [...list.querySelectorAll(".passage.has-checks")];
      if (!marked.length) return;
      const node = marked[next % marked.length];
      next += 1;
      scrollWithin(node);
      node.classList.add("flash");
      setTimeout(() => node.classList.remove("flash"), 1200);
    } }, `⚠ 核查：${parts.join(" · ")}`));
}

/** Bring a passage to the middle of the passage list without scrolling the window. */
function scrollWithin(node) {
  list.scrollTop = node.offsetTop - list.clientHeight / 2 + node.clientHeight / 2;
}

function render() {
  if (!doc.passages.length) {
    clear(list, el("p", { class: "empty" }, "没有可显示的段落。"));
    return;
  }
  clear(list, doc.passages.map(passageNode));
}

async function boxesFor(pid) {
  if (!pageImages || !pid) return null;
  if (!boxCache.has(pid)) boxCache.set(pid, api(`/api/documents/${docId}/passages/${pid}/boxes`).catch(() => null));
  return boxCache.get(pid);
}

/** Resolves true once the image has loaded (false if it failed). */
function loaded(img) {
  if (img.complete) return Promise.resolve(img.naturalWidth > 0);
  return new Promise((resolve) => {
    img.addEventListener("load", () => resolve(true), { once: true });
    img.addEventListener("error", () => resolve(false), { once: true });
  });
}

let drawing = 0; // the latest showPage call: only it draws boxes

async function showPage(n) {
  if (!pageImages) return;
  n = Math.min(Math.max(1, n), pageCount);
  shownPage = n;
  const call = ++drawing;
  const img = document.getElementById("page-image");
  const layer = document.getElementById("page-boxes");
  document.getElementById("page-number").value = String(n);
  document.getElementById("page-prev").disabled = n <= 1;
  document.getElementById("page-next").disabled = n >= pageCount;
  const want = `/api/documents/${docId}/pages/${n}.png?scale=${RENDER_SCALE}`;
  if (img.getAttribute("src") !== want) {
    img.alt = `原文第${n}页`;
    img.src = want;
  }
  layer.replaceChildren();
  if (doc) renderFigures(n);
  const p = doc?.passages.find((x) => x.id === selected);
  document.getElementById("page-caption").textContent = `第 ${n} 页，共 ${pageCount} 页${p && p.page <= n && n <= p.end_page ? "；黄色框为所选段落" : ""}`;
  const b = await boxesFor(selected);
  if (!b || call !== drawing) return;
  const onPage = b.boxes.filter((x) => x.page === n);
  if (!onPage.length || !(await loaded(img)) || call !== drawing) return;
  const size = { width: img.naturalWidth / RENDER_SCALE, height: img.naturalHeight / RENDER_SCALE };
  // bring the passage into view inside the page's scroll box
  const scroller = document.getElementById("page-scroll");
  const top = Math.min(...onPage.map((x) => x.top)) / size.height;
  scroller.scrollTop = top * scroller.scrollHeight - scroller.clientHeight / 4;
  for (const box of onPage) {
    const d = el("div", { class: "page-box", "data-testid": "page-box" });
    d.style.left = `${(box.x0 / size.width) * 100}%`;
    d.style.top = `${(box.top / size.height) * 100}%`;
    d.style.width = `${((box.x1 - box.x0) / size.width) * 100}%`;
    d.style.height = `${((box.bottom - box.top) / size.height) * 100}%`;
    layer.append(d);
  }
}

function select(pid, scroll = true) {
  selected = pid;
  const p = doc.passages.find((x) => x.id === pid);
  const q = new URLSearchParams(location.search);
  q.set("passage", pid);
  history.replaceState(null, "", `?${q}`);
  render();
  const node = document.getElementById(`p-${pid}`);
  if (node && scroll) scrollWithin(node);
  if (p) showPage(p.page);
}

/** The key figures of the page shown (of the whole document when there are no page images). */
function renderFigures(pageNumber = null) {
  const ul = document.getElementById("figures");
  const figures = doc.figures.filter((f) => !f.suspect && (pageNumber === null || f.page === pageNumber));
  document.querySelector("#figures-panel h3").textContent = pageNumber === null ? "关键数据" : `本页关键数据（第${pageNumber}页）`;
  if (!figures.length) {
    clear(ul, el("li", { class: "empty" }, pageNumber === null ? "未提取到关键数据。" : "本页未提取到关键数据。"));
    return;
  }
  clear(ul, figures.slice(0, 40).map((f) => el("li", { class: marks.figures[f.id] ? "conflict" : null,
    title: marks.figures[f.id] ? `核查：${marks.figures[f.id].map((k) => k.reason).join("；")}` : null },
    el("span", {}, `${f.metric || FIGURE_KINDS[f.kind] || ""}${f.period ? `（${f.period}）` : ""}`,
      marks.figures[f.id] ? el("span", { class: "badge badge-bad conflict-badge" },
        marks.figures[f.id].some((k) => k.kind === "disagree") ? "数据矛盾" : "数据异常") : null),
    el("span", { class: "raw" }, figureText(f), el("small", { class: "hint" }, f.page ? ` 第${f.page}页` : "")))));
}

async function load() {
  try {
    // the margin marks load with the document, so that they never push the passages down afterwards
    const [d, m] = await Promise.all([api(`/api/documents/${docId}`),
      me.role === "publicity" ? null : api(`/api/documents/${docId}/checks`).catch(() => null)]);
    doc = d;
    if (m) marks = { passages: m.passages || {}, figures: m.figures || {} };
    states = canReview ? await reviewStates(doc.passages.map((p) => p.id)) : {};
    clear(document.getElementById("doc-measures"), doc.measures.length ? [el("span", { class: "hint" }, "识别的措施："),
      ...doc.measures.map((m) => {
        const possible = m.level === "possible";
        return el("span", { class: `badge${m.eligible === false ? " badge-bad" : possible ? " badge-muted" : ""}`,
          title: possible ? "材料可能涉及此措施，未作为申报事项" : "申报事项" },
        `措施${m.measure} ${m.title || ""}${possible ? "（可能涉及，未申报）" : ""}${m.eligible === false ? "（不符合资格）" : ""}`);
      }), " "] : "未识别到措施",
      doc.doc_number ? el("span", { class: "hint", "data-testid": "doc-number" }, ` 发文字号：${doc.doc_number}`) : null,
      doc.warnings?.length ? el("span", { class: "alert doc-warnings", role: "note", "data-testid": "doc-warnings" },
        `处理提示：${doc.warnings.join("；")}`) : null);
    if (selected && !doc.passages.some((p) => p.id === selected)) selected = null;
    render();
    checkSummary();
    if (!pageImages) renderFigures();
    if (selected) {
      const node = document.getElementById(`p-${selected}`);
      if (node) {
        scrollWithin(node);
        node.focus({ preventScroll: true });
      }
    }
    const p = doc.passages.find((x) => x.id === selected);
    showPage(shownPage || (p ? p.page : 1));
  } catch (err) {
    clear(list, errorBox(err));
  }
}

if (pageImages) {
  document.getElementById("page-number").addEventListener("change", (e) => showPage(Number(e.target.value)));
  document.getElementById("page-prev").addEventListener("click", () => showPage(shownPage - 1));
  document.getElementById("page-next").addEventListener("click", () => showPage(shownPage + 1));
}
load();
