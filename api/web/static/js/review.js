// Review home: the measures the reviewer leads with counts, the campaign deadlines and late
// declarations, and the region × measure matrix.
import { api, applicant, clear, deadlinesPanel, el, errorBox, scrollCue } from "./common.js";

async function loadMeasures() {
  const list = document.getElementById("measures");
  try {
    const { measures } = await api("/api/measures");
    if (!measures.length) {
      clear(list, el("li", { class: "empty" }, "您的单位没有牵头的措施。"));
      return;
    }
    clear(list, measures.map((m) => el("li", {},
      el("a", { class: "measure-item", href: `/ui/review/${m.id}`, dataset: { measure: m.id } },
        el("span", { class: "measure-no" }, `措施${m.id}`),
        el("span", { class: "measure-title" }, m.title),
        el("span", { class: "measure-counts" }, m.documents ? `${m.documents} 份文件 · ${m.regions} 个地区` : "暂无申报"),
        el("span", { class: "hint" }, `牵头：${m.lead_units.join("、")}${m.co_units.length ? `；配合：${m.co_units.join("、")}` : ""}`)))));
  } catch (err) {
    clear(list, el("li", {}, errorBox(err)));
  }
}

async function loadDeadlines() {
  const box = document.getElementById("deadlines");
  try {
    clear(box, deadlinesPanel(await api("/api/deadlines")));
  } catch (err) {
    clear(box, errorBox(err));
  }
}

/** One cell of the matrix. Declared, possible and mentioned are never added together: a declaration shows
 *  its document count; a measure the documents only possibly concern shows 可能; stray passages show 提及. */
function matrixCell(r, x) {
  const c = r.cells[String(x.id)];
  if (!c || !(c.documents || c.possible || c.mentions)) return el("td", {}, el("span", { class: "sr-only" }, "无"));
  const who = r.region;
  let kind, text, label, href;
  if (c.documents) {
    kind = c.eligible === false ? "declared ineligible" : "declared";
    text = String(c.documents);
    label = `${who} 申报了措施${x.id}：${c.documents} 份申报文件${c.eligible === false ? "；申报主体不符合该措施的申报资格" : ""}`;
    href = `/ui/review/${x.id}#region-${encodeURIComponent(who)}`;
  } else if (c.possible) {
    kind = "possible";
    text = "可能";
    label = `${who} 未申报措施${x.id}：${c.possible} 份文件可能涉及（未作为申报事项）${c.mentions ? `，${c.mentions} 个段落提及` : ""}`;
    href = `/ui/review/${x.id}#mention-${encodeURIComponent(who)}`;
  } else {
    kind = "mention";
    text = "提及";
    label = `${who} 未申报措施${x.id}：仅 ${c.mentions} 个段落提及`;
    href = `/ui/review/${x.id}#mention-${encodeURIComponent(who)}`;
  }
  return el("td", { dataset: { kind: kind.split(" ")[0] } },
    el("a", { href, class: `cell cell-${kind.replace(" ", " cell-")}`, title: label, "aria-label": label }, text));
}

async function loadMatrix() {
  const table = document.getElementById("matrix");
  try {
    const m = await api("/api/matrix");
    if (!m.regions.length) {
      clear(table, el("tbody", {}, el("tr", {}, el("td", { class: "empty" }, "暂无申报。"))));
      return;
    }
    const head = el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "corner" }, "申报主体"),
      m.measures.map((x) => el("th", { scope: "col" }, el("abbr", { title: x.title }, `措施${x.id}`)))));
    const body = el("tbody", {}, m.regions.map((r) => el("tr", { dataset: { region: r.region } },
      el("th", { scope: "row" }, applicant(r.region, r.county),
        r.applicant_type && r.applicant_type !== "区县" ? el("small", { class: "hint applicant-type" }, ` ${r.applicant_type}`) : null),
      m.measures.map((x) => matrixCell(r, x)))));
    clear(table, el("caption", { class: "sr-only" }, "各申报主体对各项措施的申报情况：数字为申报文件数，“可能”“提及”为未申报"), head, body);
  } catch (err) {
    clear(table, el("tbody", {}, el("tr", {}, el("td", {}, errorBox(err)))));
  }
}

scrollCue(document.getElementById("matrix-wrap"));
loadMeasures();
loadDeadlines();
loadMatrix();
