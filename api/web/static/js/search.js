// Search: a query box with filters, facets by measure and region, highlighted snippets with file and page.
// The form is a plain GET form (shareable URLs); this module runs it in place and keeps the URL in step.
import {
  api, applicant, clear, documentLink, el, errorBox, highlighted, lateBadge, measures, relatedBadge, relatedMarker,
  renderExpansions, similarButton, strengthBadge,
} from "./common.js";

const form = document.getElementById("search-form");
const hits = document.getElementById("hits");
const facets = document.getElementById("facets");
const summary = document.getElementById("summary-text");
const expansionsBox = document.getElementById("expansions");
const FIELDS = ["q", "measure", "region", "applicant_type", "format", "sort"];
const SIZE = 10;
let page = 1;
let titles = {};
let controller = null;
let without = new Set(); // related terms switched off (同时检索), for the query they were switched off in
let withoutFor = null;
let expansions = [];

function params() {
  const q = new URLSearchParams();
  for (const name of FIELDS) {
    const v = form.elements[name].value.trim();
    if (v && !(name === "sort" && v === "relevance")) q.set(name, v);
  }
  if (form.elements.advanced.checked) q.set("advanced", "true");
  const typed = form.elements.q.value.trim();
  if (typed !== withoutFor) {
    without = new Set(); // a new query starts with every related term on
    withoutFor = typed;
  }
  for (const w of without) q.append("without", w);
  return q;
}

function skeleton(n = 6) {
  clear(hits, Array.from({ length: n }, () => el("li", { class: "hit skeleton-hit" },
    el("span", { class: "skeleton" }), el("span", { class: "skeleton" }), el("span", { class: "skeleton short" }))));
}

function hitNode(h) {
  const q = form.elements.q.value.trim();
  const node = el("li", { class: `hit${h.related_only ? " hit-related" : ""}`, dataset: { passage: h.passage_id } },
    el("div", { class: "hit-title" },
      el("a", { href: documentLink(h.document_id, h.passage_id, q ? { q } : {}) }, h.title || h.filename),
      h.region ? el("span", { class: "badge region-badge" }, applicant(h.region)) : null,
      relatedBadge(h, expansions),
      h.late ? lateBadge("该文件晚于申报截止日期报送", "hit-late") : null,
      h.heading ? el("span", { class: "hint" }, h.heading) : null),
    el("p", { class: "hit-snippet", "data-testid": "snippet" }, highlighted(h.snippet, h.snippet_highlights, relatedMarker(expansions))),
    el("div", { class: "hit-cite" }, el("span", { "data-testid": "citation" }, `出处：${h.citation}`), " ",
      h.measures.map((m) => el("span", { class: "hit-measure", "data-testid": "hit-measure" },
        el("span", { class: `badge${m.origin === "review" ? " badge-ok" : ""}`, title: titles[m.measure] || "" }, `措施${m.measure}`),
        strengthBadge(m, { prefix: `与措施${m.measure}的相关度` })))));
  node.querySelector(".hit-cite").append(similarButton(h.passage_id, node));
  return node;
}

/** Switch a related term on or off and search again (the URL keeps `without=`). */
function toggleTerm(word, on) {
  if (on) without.delete(word);
  else without.add(word);
  page = 1;
  run();
}

function facetList(name, counts, label) {
  const current = form.elements[name].value;
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 15);
  if (!entries.length) return el("ul", { class: "facet-list" }, el("li", { class: "empty" }, "—"));
  return el("ul", { class: "facet-list" }, entries.map(([key, n]) => el("li", {},
    el("button", { type: "button", "aria-pressed": String(current === key), dataset: { facet: name, value: key },
      onclick: () => {
        form.elements[name].value = current === key ? "" : key;
        page = 1;
        run();
      } }, el("span", {}, label(key)), el("span", { class: "hint" }, n)))));
}

async function run() {
  controller?.abort();
  controller = new AbortController();
  const q = params();
  history.replaceState(null, "", `/ui/search${q.toString() ? `?${q}` : ""}${page > 1 ? `${q.toString() ? "&" : "?"}page=${page}` : ""}`);
  q.set("page", page);
  q.set("size", SIZE);
  hits.setAttribute("aria-busy", "true");
  skeleton(Math.max(3, hits.children.length || 6));
  summary.textContent = "正在检索…";
  try {
    const r = await api(`/api/search?${q}`, { signal: controller.signal });
    hits.setAttribute("aria-busy", "false");
    expansions = r.expansions || [];
    renderExpansions(expansionsBox, expansions, { onToggle: toggleTerm });
    const related = expansions.some((e) => e.related.length);
    summary.textContent = r.total
      ? `共 ${r.total} 个段落${r.query ? `包含“${r.query}”${related ? "或其相关词" : ""}` : ""}（${r.took_ms} 毫秒）`
      : `没有找到${r.query ? `包含“${r.query}”${related ? "或其相关词" : ""}的` : ""}段落。`;
    clear(hits, r.hits.map(hitNode));
    clear(facets,
      el("h3", {}, "措施"), facetList("measure", r.facets.measure || {}, (k) => `措施${k} ${titles[k] || ""}`),
      el("h3", {}, "地区"), facetList("region", r.facets.region || {}, (k) => applicant(k)));
    const pagesTotal = Math.max(1, Math.ceil(r.total / SIZE));
    document.getElementById("page-info").textContent = `第 ${page} / ${pagesTotal} 页`;
    document.getElementById("prev-page").disabled = page <= 1;
    document.getElementById("next-page").disabled = page >= pagesTotal;
    const regions = document.getElementById("region-options");
    if (!regions.children.length) clear(regions, Object.keys(r.facets.region || {}).map((k) => el("option", { value: k })));
  } catch (err) {
    if (err.name === "AbortError") return;
    hits.setAttribute("aria-busy", "false");
    summary.textContent = "检索失败";
    clear(hits, el("li", {}, errorBox(err)));
  }
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  page = 1;
  run();
});
for (const name of ["measure", "applicant_type", "format", "sort", "advanced"]) {
  form.elements[name].addEventListener("change", () => { page = 1; run(); });
}
document.getElementById("prev-page").addEventListener("click", () => { page -= 1; run(); hits.scrollIntoView({ block: "start" }); });
document.getElementById("next-page").addEventListener("click", () => { page += 1; run(); hits.scrollIntoView({ block: "start" }); });

async function init() {
  const url = new URLSearchParams(location.search);
  try {
    const list = await measures();
    titles = Object.fromEntries(list.map((m) => [String(m.id), m.title]));
    form.elements.measure.append(...list.map((m) => el("option", { value: m.id }, `措施${m.id} ${m.title}`)));
  } catch { /* the measure filter stays at 全部 */ }
  for (const name of FIELDS) if (url.get(name)) form.elements[name].value = url.get(name);
  withoutFor = form.elements.q.value.trim();
  without = new Set(url.getAll("without"));
  form.elements.advanced.checked = url.get("advanced") === "true";
  page = Number(url.get("page")) || 1;
  run();
}
init();
