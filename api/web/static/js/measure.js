// One measure: the declaring regions side by side (sortable), their key figures and strongest
// passages with review actions, the figures ranked across regions, and the recommendation list.
import {
  announce, api, clear, documentLink, el, errorBox, FIGURE_KINDS, figureText, findSpans, highlighted, measures, pages,
  relabelDialog, reviewButtons, reviewStates, sortable,
} from "./common.js";

const measure = Number(document.getElementById("main").dataset.measure);
const compareBody = document.querySelector("#compare tbody");
const cards = document.getElementById("regions");
let regions = [];
let states = {};
let late = new Map(); // document id -> why it is late

/** A stored UTC time in the reader's own clock ("2026/11/27 12:31"). */
const localTime = (iso) => new Date(iso).toLocaleString("zh-CN", { hour12: false, year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", minute: "2-digit" });
const regionId = (name) => `region-${encodeURIComponent(name)}`;
const eligibleText = (e) => (e === true ? "符合" : e === false ? "不符合" : "待核实");

function figureItem(f) {
  return el("li", { class: f.suspect ? "suspect" : null },
    el("span", {}, f.metric || FIGURE_KINDS[f.kind] || "数据"),
    el("span", { class: "raw", title: f.page ? `第${f.page}页` : "" }, figureText(f)));
}

function labelText(labels) {
  return labels?.length ? `标注：${labels.map((m) => `措施${m}`).join("、")}` : "";
}

const docName = (d) => (d.archive_path ? `${d.filename}!${d.archive_path}` : d.filename);

function passageCard(p, region, docs) {
  const doc = docs.find((d) => d.id === p.document_id);
  const state = states[String(p.passage_id)];
  const labels = el("span", { class: "hint labels" }, labelText(state?.labels));
  const passage = { id: p.passage_id, text: p.text, heading: p.heading };
  const actions = reviewButtons(passage, state, {
    onRelabel: async () => {
      const chosen = await relabelDialog(passage, states[String(p.passage_id)]?.labels || [measure]);
      if (chosen) {
        states[String(p.passage_id)] = { ...(states[String(p.passage_id)] || {}), labels: chosen };
        labels.textContent = `${labelText(chosen)}（已更正）`;
      }
    },
  });
  actions.append(el("button", { type: "button", class: "btn btn-small", onclick: () => addRecommendation(region.region, [p.passage_id]) }, "加入推荐名单"));
  return el("div", { class: "passage-card", dataset: { passage: p.passage_id } },
    p.heading ? el("div", { class: "heading" }, p.heading) : null,
    el("p", { class: "text" }, p.text),
    el("div", { class: "cite" }, `${doc ? docName(doc) : "文件"}，${pages(p.page, p.end_page)} · `,
      el("a", { href: documentLink(p.document_id, p.passage_id), "data-testid": "open-evidence" }, "在原文中查看"), " ", labels),
    actions);
}

function regionCard(r) {
  return el("article", { class: "region-card", id: regionId(r.region), tabindex: "-1", dataset: { region: r.region } },
    el("h3", {}, el("span", {}, r.region), el("span", { class: "badge", title: "相关度" }, r.score.toFixed(2))),
    el("div", { class: "chips" },
      r.applicant_type ? el("span", { class: "badge" }, r.applicant_type) : null,
      el("span", { class: `badge ${r.eligible === false ? "badge-bad" : r.eligible ? "badge-ok" : "badge-warn"}` }, `申报资格：${eligibleText(r.eligible)}`)),
    el("ul", { class: "doc-links" }, r.documents.map((d) => el("li", {}, el("a", { href: documentLink(d.id) }, docName(d)),
      d.doc_date ? el("small", { class: "hint" }, ` ${d.doc_date}`) : null,
      late.has(d.id) ? [" ", el("span", { class: "badge badge-warn", title: late.get(d.id), "data-testid": "late-badge" }, "逾期申报")] : null))),
    r.figures.length ? [el("h4", { class: "hint" }, "关键数据"), el("ul", { class: "figure-list" }, r.figures.slice(0, 6).map(figureItem))] : null,
    el("h4", { class: "hint" }, "最有力的段落"),
    r.passages.length ? r.passages.map((p) => passageCard(p, r, r.documents)) : el("p", { class: "empty" }, "没有标注为此措施的段落。"));
}

function compareRow(r) {
  return el("tr", {},
    el("th", { scope: "row" }, el("a", { href: `#${regionId(r.region)}`, onclick: (e) => { e.preventDefault(); focusRegion(r.region); } }, r.region)),
    el("td", {}, r.type || "—"),
    el("td", {}, eligibleText(r.eligible)),
    el("td", { class: "num" }, r.score.toFixed(3)),
    el("td", { class: "num" }, r.documents),
    el("td", { class: "num" }, r.figures),
    el("td", {}, r.main || "—"));
}

function focusRegion(name) {
  const card = document.getElementById(regionId(name));
  if (!card) return;
  card.scrollIntoView({ behavior: "smooth", block: "nearest", inline: "start" });
  card.focus({ preventScroll: true });
}

async function loadEvidence() {
  try {
    const [ev, deadlines] = await Promise.all([api(`/api/measures/${measure}/evidence`), api("/api/deadlines").catch(() => null)]);
    late = new Map((deadlines?.late || []).map((x) => [x.document_id, x.reasons.join("；")]));
    const ids = ev.regions.flatMap((r) => r.passages.map((p) => p.passage_id));
    states = await reviewStates(ids);
    const byName = new Map(ev.regions.map((r) => [r.region, r]));
    regions = ev.regions.map((r) => ({
      region: r.region, type: r.applicant_type, eligible: r.eligible, score: r.score, documents: r.documents.length,
      figures: r.figures.filter((f) => !f.suspect).length,
      main: r.figures.filter((f) => !f.suspect).slice(0, 3).map((f) => `${f.metric || ""}${figureText(f)}`).join("；"),
    }));
    if (!regions.length) {
      clear(compareBody, el("tr", {}, el("td", { colspan: 7, class: "empty" }, "还没有地区申报此项措施。")));
      clear(cards, el("p", { class: "empty" }, "暂无证据。"));
      return;
    }
    const table = sortable(document.getElementById("compare"), {
      rows: () => regions,
      initial: { key: "score", dir: "descending" },
      render: (sorted) => {
        clear(compareBody, sorted.map(compareRow));
        clear(cards, sorted.map((r) => regionCard(byName.get(r.region))));
      },
    });
    table.refresh();
    const hash = decodeURIComponent(location.hash.replace(/^#region-/, ""));
    if (hash && byName.has(hash)) focusRegion(hash);
  } catch (err) {
    clear(compareBody, el("tr", {}, el("td", { colspan: 7 }, errorBox(err))));
    clear(cards);
  }
}

// -- figures ranked across regions ----------------------------------------------------------------------------

let records = [];
const recordsTable = sortable(document.getElementById("records"), {
  rows: () => records,
  initial: { key: "rank", dir: "ascending" },
  render: (rows) => {
    const body = document.querySelector("#records tbody");
    if (!rows.length) {
      clear(body, el("tr", {}, el("td", { colspan: 6, class: "empty" }, "没有符合条件的数据。")));
      return;
    }
    clear(body, rows.map((r) => el("tr", {},
      el("td", { class: "num" }, r.rank), el("td", {}, r.region),
      el("td", {}, r.metric || "—", el("small", { class: "hint" }, ` ${FIGURE_KINDS[r.kind] || r.kind}${r.is_target ? " · 目标值" : ""}`)),
      el("td", { class: "num" }, el("strong", {}, figureText(r))),
      el("td", { class: "hint" }, highlighted(r.sentence || "", findSpans(r.sentence || "", [r.raw]))),
      el("td", {}, `${r.filename}，第${r.page}页`))));
  },
});

let recordsTimer = null;
async function loadRecords() {
  const kind = document.getElementById("records-kind").value;
  const metric = document.getElementById("records-metric").value.trim();
  const q = new URLSearchParams({ measure });
  if (kind) q.set("kind", kind);
  if (metric) q.set("metric", metric);
  try {
    records = (await api(`/api/records?${q}`)).records;
    recordsTable.refresh();
  } catch (err) {
    clear(document.querySelector("#records tbody"), el("tr", {}, el("td", { colspan: 6 }, errorBox(err))));
  }
}
document.getElementById("records-kind").addEventListener("change", loadRecords);
document.getElementById("records-metric").addEventListener("input", () => {
  clearTimeout(recordsTimer);
  recordsTimer = setTimeout(loadRecords, 300);
});

// -- the recommendation list (推荐名单) ------------------------------------------------------------------------

const recList = document.getElementById("rec-list");
const recStatus = document.getElementById("rec-status");
const addSelect = document.getElementById("rec-add-region");
let rec = { items: [], candidates: [] };
let dirty = false;

function setDirty(value) {
  dirty = value;
  for (const a of document.querySelectorAll("[data-testid=rec-xlsx], [data-testid=rec-docx]")) {
    a.setAttribute("aria-disabled", String(value));
  }
  if (value) recStatus.textContent = "有未保存的修改";
}

function renderRecommendations(focusIndex = null) {
  const chosen = new Set(rec.items.map((i) => i.region));
  clear(addSelect, rec.candidates.filter((c) => !chosen.has(c.region)).map((c) =>
    el("option", { value: c.region }, `${c.region}${c.eligible === false ? "（不符合申报资格）" : ""}`)));
  document.getElementById("rec-add").disabled = !addSelect.options.length;
  if (!rec.items.length) {
    clear(recList, el("li", { class: "empty" }, "名单为空：在上方地区卡片中点“加入推荐名单”，或在下方选择地区。"));
    return;
  }
  clear(recList, rec.items.map((item, i) => {
    const id = `rec-reason-${i}`;
    const counter = el("div", { class: "counter", id: `${id}-count` }, `${item.justification.length}/500`);
    const area = el("textarea", { id, rows: 2, maxlength: 500, "aria-describedby": `${id}-count`, "data-testid": "rec-reason",
      placeholder: "简述推荐理由，例如：建成高标准农田6.5万亩，完成任务的108.3%，粮食产量保持全市前列。" });
    area.value = item.justification;
    area.addEventListener("input", () => {
      item.justification = area.value;
      counter.textContent = `${area.value.length}/500`;
      setDirty(true);
    });
    const move = (delta) => {
      const j = i + delta;
      if (j < 0 || j >= rec.items.length) return;
      [rec.items[i], rec.items[j]] = [rec.items[j], rec.items[i]];
      setDirty(true);
      renderRecommendations(j);
    };
    const cand = rec.candidates.find((c) => c.region === item.region);
    return el("li", { class: "rec-item", dataset: { region: item.region } },
      el("div", { class: "rec-item-head" },
        el("span", {}, el("strong", {}, item.region), cand?.applicant_type ? el("span", { class: "badge" }, cand.applicant_type) : null,
          item.passage_ids.length ? el("small", { class: "hint" }, ` 依据 ${item.passage_ids.length} 个段落`) : null),
        el("span", { class: "chips" },
          el("button", { type: "button", class: "btn btn-small", "aria-label": `${item.region} 上移`, disabled: i === 0, onclick: () => move(-1) }, "上移"),
          el("button", { type: "button", class: "btn btn-small", "aria-label": `${item.region} 下移`, disabled: i === rec.items.length - 1, onclick: () => move(1) }, "下移"),
          el("button", { type: "button", class: "btn btn-small", "aria-label": `从名单中移除 ${item.region}`, onclick: () => {
            rec.items.splice(i, 1);
            setDirty(true);
            renderRecommendations();
            announce(`已移除 ${item.region}`);
          } }, "移除"))),
      el("label", { for: id }, `推荐理由（${item.region}）`), area, counter);
  }));
  if (focusIndex !== null) recList.querySelectorAll("textarea")[focusIndex]?.focus();
}

function addRecommendation(region, passageIds = []) {
  const existing = rec.items.findIndex((i) => i.region === region);
  if (existing >= 0) {
    const item = rec.items[existing];
    item.passage_ids = [...new Set([...item.passage_ids, ...passageIds])].slice(0, 10);
    setDirty(true);
    renderRecommendations(existing);
  } else {
    rec.items.push({ region, justification: "", passage_ids: passageIds });
    setDirty(true);
    renderRecommendations(rec.items.length - 1);
  }
  document.getElementById("recommendation-panel").scrollIntoView({ behavior: "smooth", block: "nearest" });
  announce(`已将 ${region} 加入推荐名单，请填写推荐理由`);
}

async function loadRecommendations() {
  try {
    rec = await api(`/api/recommendations/${measure}`);
    renderRecommendations();
    recStatus.textContent = rec.updated_at ? `上次保存：${localTime(rec.updated_at)}（${rec.updated_by}）` : "尚未保存";
  } catch (err) {
    clear(recList, el("li", {}, errorBox(err)));
  }
}

document.getElementById("rec-add").addEventListener("click", () => {
  if (addSelect.value) addRecommendation(addSelect.value);
});
document.getElementById("rec-save").addEventListener("click", async () => {
  try {
    const saved = await api(`/api/recommendations/${measure}`, { method: "PUT", body: { items: rec.items } });
    rec = { ...rec, ...saved };
    setDirty(false);
    recStatus.textContent = `已保存 ${rec.items.length} 个地区`;
    announce(recStatus.textContent);
  } catch (err) {
    recStatus.textContent = `保存失败：${err.message}`;
    announce(recStatus.textContent);
  }
});
for (const a of document.querySelectorAll("[data-testid=rec-xlsx], [data-testid=rec-docx]")) {
  a.addEventListener("click", (e) => {
    if (dirty) {
      e.preventDefault();
      recStatus.textContent = "请先保存名单，再导出。";
      announce(recStatus.textContent);
    }
  });
}

async function loadMeta() {
  const m = (await measures()).find((x) => x.id === measure);
  if (m) {
    document.getElementById("measure-meta").textContent =
      `牵头单位：${m.lead_units.join("、")}${m.co_units.length ? `；配合单位：${m.co_units.join("、")}` : ""}` +
      `；申报主体：${m.applicant_types.join("、")}；激励方式：${m.incentives.join("、") || "—"}`;
  }
}

loadMeta().catch(() => {});
loadEvidence();
loadRecords();
loadRecommendations();
