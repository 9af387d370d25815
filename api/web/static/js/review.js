// Review home: the measures the reviewer leads with counts, the campaign deadlines and late
// declarations, and the region × measure matrix.
import { api, clear, deadlinesPanel, el, errorBox } from "./common.js";

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

async function loadMatrix() {
  const table = document.getElementById("matrix");
  try {
    const m = await api("/api/matrix");
    if (!m.regions.length) {
      clear(table, el("tbody", {}, el("tr", {}, el("td", { class: "empty" }, "暂无申报。"))));
      return;
    }
    const head = el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "地区"),
      m.measures.map((x) => el("th", { scope: "col" }, el("abbr", { title: x.title }, `措施${x.id}`)))));
    const body = el("tbody", {}, m.regions.map((r) => el("tr", {},
      el("th", { scope: "row" }, r.region, r.applicant_type && r.applicant_type !== "区县" ? el("small", { class: "hint" }, ` ${r.applicant_type}`) : null),
      m.measures.map((x) => {
        const c = r.cells[String(x.id)];
        if (!c) return el("td", {}, el("span", { class: "sr-only" }, "无"));
        const label = `${r.region} 措施${x.id}：${c.documents} 份文件，${c.passages} 个相关段落${c.eligible === false ? "，不符合申报资格" : ""}`;
        return el("td", {}, el("a", { href: `/ui/review/${x.id}#region-${encodeURIComponent(r.region)}`, "aria-label": label, title: label,
          class: c.eligible === false ? "ineligible" : null }, c.documents, el("small", {}, ` (${c.passages})`)));
      }))));
    clear(table, el("caption", { class: "sr-only" }, "各地区对各项措施的申报情况"), head, body);
  } catch (err) {
    clear(table, el("tbody", {}, el("tr", {}, el("td", {}, errorBox(err)))));
  }
}

loadMeasures();
loadDeadlines();
loadMatrix();
