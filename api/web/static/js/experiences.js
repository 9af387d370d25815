// Typical experiences: cards by measure and region with the practice, its results and its source;
// pick cards and export them as a DOCX briefing (GET /api/experiences?format=docx, the same ranking as shown).
import {
  announce, api, applicant, canReview, clear, documentLink, el, errorBox, figureText, measures, renderExpansions,
  similarButton,
} from "./common.js";

const grid = document.getElementById("experiences");
const filter = document.getElementById("exp-filter");
const briefing = document.getElementById("briefing-form");
const exportButton = document.getElementById("export-briefing");
const count = document.getElementById("selected-count");
const expansionsBox = document.getElementById("exp-expansions");
let without = new Set(); // related terms of the theme switched off
let withoutFor = "";

/** Why the card was chosen: the ranker's own words (index/experiences.py), else read from its features. */
function reasons(e) {
  if (e.reasons?.length) return e.reasons.join(" · ");
  const f = e.features || {};
  const out = [];
  if (f.reviewer > 0) out.push("牵头单位标为典型");
  if (f.enumeration) out.push("分条列举做法");
  if (f.practice_heading) out.push("位于做法/亮点小标题下");
  if (f.practice_terms) out.push("点明具体做法");
  if (f.results) out.push(`有 ${e.figures.length} 项成效数据`);
  return out.join(" · ");
}

/** The card's kind at a glance: its summary (“具体做法+量化成效”) as a line of short badges. */
function summaryLine(e) {
  const parts = (e.summary || "").split("+").map((x) => x.trim()).filter(Boolean);
  if (!parts.length) return null;
  return el("p", { class: "summary-line", "data-testid": "summary" }, el("span", { class: "sr-only" }, "案例特点："),
    parts.map((x, i) => [i ? el("span", { class: "sr-only" }, "、") : null, el("span", { class: "badge summary-badge" }, x)]));
}

function card(e) {
  const box = el("input", { type: "checkbox", name: "id", value: e.passage_id, form: "briefing-form", "data-testid": "pick" });
  const text = el("p", { class: "practice-text", id: `exp-text-${e.passage_id}` }, e.text);
  const more = el("button", { type: "button", class: "btn btn-small more-button", "aria-expanded": "false", "aria-controls": text.id,
    "data-testid": "more" }, "展开全文");
  const article = el("article", { class: "exp-card", dataset: { passage: e.passage_id, region: e.region || "", measure: e.measure } },
    el("header", {},
      el("div", {}, el("h2", {}, applicant(e.region, e.county)), el("div", { class: "measure" }, `措施${e.measure} ${e.measure_title || ""}`)),
      el("label", { class: "pick" }, box, "选入简报")),
    summaryLine(e),
    e.heading ? el("p", { class: "practice" }, el("strong", {}, e.heading)) : null,
    text, more,
    e.figures.length ? [el("p", { class: "results-title" }, "主要成效"),
      el("ul", { class: "figure-list" }, e.figures.slice(0, 5).map((f) => el("li", {}, el("span", {}, f.metric || ""), el("span", { class: "raw" }, figureText(f)))))] : null,
    el("p", { class: "source" }, "来源：",
      canReview ? el("a", { href: documentLink(e.document_id, e.passage_id) }, e.citation) : e.citation,
      e.review === "exemplary" ? el("span", { class: "badge badge-ok" }, "典型") : null,
      e.cleared ? el("span", { class: "badge badge-ok" }, "准予宣传") : null,
      el("br"), reasons(e) ? el("small", { class: "exp-reasons", "data-testid": "reasons" }, `入选理由：${reasons(e)}`) : null));
  article.querySelector(".source").after(el("div", { class: "exp-actions" }, similarButton(e.passage_id, article)));
  more.addEventListener("click", () => {
    const open = article.classList.toggle("expanded");
    more.setAttribute("aria-expanded", String(open));
    more.textContent = open ? "收起" : "展开全文";
  });
  box.addEventListener("change", () => {
    article.classList.toggle("chosen", box.checked);
    updateCount();
  });
  return article;
}

/** Offer 展开全文 only on cards whose text is cut off. Runs in the same task as the cards are drawn (and
 *  again when the grid is resized), so a button never shows and then disappears. */
function fitMore() {
  for (const article of grid.querySelectorAll(".exp-card[data-passage]")) {
    const text = article.querySelector(".practice-text");
    const more = article.querySelector(".more-button");
    if (!more || article.classList.contains("expanded")) continue;
    more.hidden = text.scrollHeight <= text.clientHeight + 1;
  }
}
new ResizeObserver(() => fitMore()).observe(grid);

function filtered() {
  return Boolean(filter.elements.measure.value || filter.elements.region.value.trim() || filter.elements.q.value.trim());
}

/** Nothing found: say what is searched, and how to find more. */
function emptyState() {
  const clearButton = filtered()
    ? el("button", { type: "button", class: "btn btn-small", "data-testid": "clear-filters", onclick: () => {
      filter.elements.measure.value = "";
      filter.elements.region.value = "";
      filter.elements.q.value = "";
      load();
    } }, "清除筛选，查看全部")
    : null;
  const scope = canReview
    ? "这里列出您可查看的申报材料中、按做法、成效和审核标记排出的候选典型经验段落（审核人员只看到本单位牵头的措施）。"
    : "这里只检索牵头单位审核后“准予宣传”的段落；被标为典型但尚未准予宣传的段落，以及其他申报材料，都不会出现。";
  const broaden = filtered()
    ? "当前的主题、措施或地区筛选下没有案例：可清除筛选，换一个主题词，或换一个地区名称（如“合川区”“草堂镇”）再试。"
    : canReview
      ? "可先在各项措施的比较页把有力的段落“标为典型”，再决定是否“准予宣传”。"
      : "如需更多案例，请联系牵头单位审核并对相关段落“准予宣传”。";
  return el("div", { class: "empty empty-state", "data-testid": "no-experiences" },
    el("p", {}, el("strong", {}, "没有符合条件的案例。")), el("p", {}, scope), el("p", {}, broaden), clearButton);
}

function boxes() {
  return [...document.querySelectorAll('input[name="id"][form="briefing-form"]')];
}

function updateCount() {
  const n = boxes().filter((b) => b.checked).length;
  count.textContent = n ? `已选 ${n} 个案例` : "未选择案例";
  exportButton.disabled = n === 0;
}

function toggleTerm(word, on) {
  if (on) without.delete(word);
  else without.add(word);
  load();
}

async function load() {
  const measure = filter.elements.measure.value;
  const region = filter.elements.region.value.trim();
  const theme = filter.elements.q.value.trim();
  if (theme !== withoutFor) {
    without = new Set(); // a new theme starts with every related term on
    withoutFor = theme;
  }
  const q = new URLSearchParams({ limit: 50 });
  if (theme) q.set("q", theme);
  if (measure) q.set("measure", measure);
  if (region) q.set("region", region);
  for (const w of without) q.append("without", w);
  // the export ranks with the same filters, so that the chosen cards are found again
  for (const [id, value] of [["b-q", theme], ["b-measure", measure], ["b-region", region]]) {
    const input = document.getElementById(id);
    input.value = value;
    input.disabled = !value;
  }
  clear(document.getElementById("b-without"), [...without].map((w) => el("input", { type: "hidden", name: "without", value: w, form: "briefing-form" })));
  grid.setAttribute("aria-busy", "true");
  try {
    const { experiences, expansions } = await api(`/api/experiences?${q}`);
    grid.setAttribute("aria-busy", "false");
    renderExpansions(expansionsBox, expansions || [], { onToggle: toggleTerm });
    if (!experiences.length) {
      clear(grid, emptyState());
    } else {
      clear(grid, experiences.map(card));
      fitMore();
    }
    updateCount();
    announce(`共 ${experiences.length} 个案例`);
  } catch (err) {
    grid.setAttribute("aria-busy", "false");
    clear(grid, errorBox(err));
  }
}

filter.addEventListener("submit", (e) => {
  e.preventDefault();
  load();
});
filter.elements.measure.addEventListener("change", load);
document.getElementById("select-all").addEventListener("click", () => {
  for (const b of boxes()) { b.checked = true; b.dispatchEvent(new Event("change")); }
});
document.getElementById("select-none").addEventListener("click", () => {
  for (const b of boxes()) { b.checked = false; b.dispatchEvent(new Event("change")); }
});
briefing.addEventListener("submit", () => announce("正在生成简报，浏览器将下载 Word 文件"));

measures().then((list) => {
  filter.elements.measure.append(...list.map((m) => el("option", { value: m.id }, `措施${m.id} ${m.title}`)));
}).catch(() => {});
load();
