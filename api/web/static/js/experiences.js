// Typical experiences: cards by measure and region with the practice, its results and its source;
// pick cards and export them as a DOCX briefing (GET /api/experiences?format=docx, the same ranking as shown).
import { announce, api, canReview, clear, documentLink, el, errorBox, figureText, measures } from "./common.js";

const grid = document.getElementById("experiences");
const filter = document.getElementById("exp-filter");
const briefing = document.getElementById("briefing-form");
const exportButton = document.getElementById("export-briefing");
const count = document.getElementById("selected-count");

function reasons(e) {
  const f = e.features || {};
  const out = [];
  if (f.reviewer > 0) out.push("牵头单位标为典型");
  if (f.enumeration) out.push("分条列举做法");
  if (f.practice_heading) out.push("位于做法/亮点小标题下");
  if (f.practice_terms) out.push("点明具体做法");
  if (f.results) out.push(`有 ${e.figures.length} 项成效数据`);
  return out.join(" · ");
}

function card(e) {
  const box = el("input", { type: "checkbox", name: "id", value: e.passage_id, form: "briefing-form", "data-testid": "pick" });
  const text = el("p", { class: "practice-text", id: `exp-text-${e.passage_id}` }, e.text);
  const more = el("button", { type: "button", class: "btn btn-small", "aria-expanded": "false", "aria-controls": text.id }, "展开全文");
  const article = el("article", { class: "exp-card", dataset: { passage: e.passage_id, region: e.region || "", measure: e.measure } },
    el("header", {},
      el("div", {}, el("h2", {}, e.region || "未识别地区"), el("div", { class: "measure" }, `措施${e.measure} ${e.measure_title || ""}`)),
      el("label", { class: "pick" }, box, "选入简报")),
    e.heading ? el("p", { class: "practice" }, el("strong", {}, e.heading)) : null,
    text, more,
    e.figures.length ? [el("p", { class: "results-title" }, "主要成效"),
      el("ul", { class: "figure-list" }, e.figures.slice(0, 5).map((f) => el("li", {}, el("span", {}, f.metric || ""), el("span", { class: "raw" }, figureText(f)))))] : null,
    el("p", { class: "source" }, "来源：",
      canReview ? el("a", { href: documentLink(e.document_id, e.passage_id) }, e.citation) : e.citation,
      e.review === "exemplary" ? el("span", { class: "badge badge-ok" }, "典型") : null,
      e.cleared ? el("span", { class: "badge badge-ok" }, "准予宣传") : null,
      el("br"), el("small", {}, reasons(e))));
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

function boxes() {
  return [...document.querySelectorAll('input[name="id"][form="briefing-form"]')];
}

function updateCount() {
  const n = boxes().filter((b) => b.checked).length;
  count.textContent = n ? `已选 ${n} 个案例` : "未选择案例";
  exportButton.disabled = n === 0;
}

async function load() {
  const measure = filter.elements.measure.value;
  const region = filter.elements.region.value.trim();
  const q = new URLSearchParams({ limit: 50 });
  if (measure) q.set("measure", measure);
  if (region) q.set("region", region);
  // the export ranks with the same filters, so that the chosen cards are found again
  for (const [id, value] of [["b-measure", measure], ["b-region", region]]) {
    const input = document.getElementById(id);
    input.value = value;
    input.disabled = !value;
  }
  grid.setAttribute("aria-busy", "true");
  try {
    const { experiences } = await api(`/api/experiences?${q}`);
    grid.setAttribute("aria-busy", "false");
    if (!experiences.length) {
      clear(grid, el("p", { class: "empty", "data-testid": "no-experiences" },
        canReview ? "没有符合条件的案例。" : "暂无准予宣传的案例：牵头单位审核并“准予宣传”后会出现在这里。"));
    } else {
      clear(grid, experiences.map(card));
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
