// One measure: the applicants that declared it side by side (sortable), their key figures and strongest
// passages with review actions; those that only mention it, apart; the figures ranked across regions; and
// the recommendation list.
import {
  announce, api, applicant, clear, documentLink, el, errorBox, FIGURE_KINDS, figureText, findSpans, highlighted,
  lateBadge, pages, percent, relabelDialog, reviewButtons, reviewStates, scrollCue, sortable, STRENGTH_RANK,
  strengthBadge,
} from "./common.js";

const measure = Number(document.getElementById("main").dataset.measure);
const compareBody = document.querySelector("#compare tbody");
const cards = document.getElementById("regions");
const mentionedBox = document.getElementById("mentioned");
let regions = [];
let mentioned = [];
let states = {};
let late = new Map(); // document id -> why it is late

/** A stored UTC time in the reader's own clock ("2026/11/27 12:31"). */
const localTime = (iso) => new Date(iso).toLocaleString("zh-CN", { hour12: false, year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", minute: "2-digit" });
const regionId = (name) => `region-${encodeURIComponent(name)}`;
const mentionId = (name) => `mention-${encodeURIComponent(name)}`;
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
const lateWhy = (docId) => late.get(docId) || "";

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
    onChange: (s) => { states[String(p.passage_id)] = { ...(states[String(p.passage_id)] || {}), ...s }; },
  });
  actions.append(el("button", { type: "button", class: "btn btn-small", onclick: () => addRecommendation(region.region, [p.passage_id]) }, "加入推荐名单"));
  return el("div", { class: "passage-card", dataset: { passage: p.passage_id } },
    p.heading ? el("div", { class: "heading" }, p.heading) : null,
    el("p", { class: "text" }, p.text),
    el("div", { class: "passage-facts" }, strengthBadge(p, { showReason: true }),
      p.late || doc?.late ? lateBadge(lateWhy(p.document_id), "passage-late") : null),
    el("div", { class: "cite" }, `${doc ? docName(doc) : "文件"}，${pages(p.page, p.end_page)} · `,
      el("a", { href: documentLink(p.document_id, p.passage_id), "data-testid": "open-evidence" }, "在原文中查看"), " ", labels),
    actions);
}

function regionCard(r) {
  const best = r.passages[0];
  return el("article", { class: "region-card", id: regionId(r.region), tabindex: "-1", dataset: { region: r.region } },
    el("h3", {}, applicant(r.region, r.county), best ? strengthBadge(best, { prefix: "证据强度" }) : null),
    el("div", { class: "chips" },
      r.applicant_type ? el("span", { class: "badge" }, r.applicant_type) : null,
      el("span", { class: `badge ${r.eligible === false ? "badge-bad" : r.eligible ? "badge-ok" : "badge-warn"}` }, `申报资格：${eligibleText(r.eligible)}`)),
    el("ul", { class: "doc-links" }, r.documents.map((d) => el("li", {}, el("a", { href: documentLink(d.id) }, docName(d)),
      d.doc_date ? el("small", { class: "hint" }, ` ${d.doc_date}`) : null,
      d.late || late.has(d.id) ? [" ", lateBadge(lateWhy(d.id))] : null))),
    r.figures.length ? [el("h4", { class: "hint" }, "关键数据"), el("ul", { class: "figure-list" }, r.figures.slice(0, 6).map(figureItem))] : null,
    el("h4", { class: "hint" }, "最有力的段落"),
    r.passages.length ? r.passages.map((p) => passageCard(p, r, r.documents)) : el("p", { class: "empty" }, "没有标注为此措施的段落。"));
}

function compareRow(r) {
  return el("tr", { dataset: { region: r.region } },
    el("th", { scope: "row" }, el("a", { href: `#${regionId(r.region)}`, onclick: (e) => { e.preventDefault(); focusRegion(r.region); } },
      applicant(r.region, r.county))),
    el("td", {}, r.type || "—"),
    el("td", {}, eligibleText(r.eligible)),
    el("td", {}, r.best ? strengthBadge(r.best, { prefix: "证据强度" }) : "—"),
    el("td", { class: "num" }, r.documents),
    el("td", { class: "num" }, r.figures),
    el("td", {}, r.main || "—"));
}

/** An applicant that mentions the measure without declaring it: what it says, and the override to list it. */
function mentionItem(m) {
  const possible = m.documents.filter((d) => d.level === "possible");
  const what = [m.passages ? `${m.passages} 个段落提及` : null, possible.length ? `${possible.length} 份文件可能涉及` : null]
    .filter(Boolean).join(" · ");
  const id = `override-${encodeURIComponent(m.region)}`;
  const box = el("input", { type: "checkbox", id, "data-testid": "override" });
  const add = el("button", { type: "button", class: "btn btn-small", disabled: true, "data-testid": "override-add",
    "aria-describedby": `${id}-note`, onclick: () => addRecommendation(m.region, m.best ? [m.best.passage_id] : [], { override: true }) },
  "特别推荐，加入名单");
  box.addEventListener("change", () => { add.disabled = !box.checked; });
  const b = m.best;
  return el("li", { class: "mention-item", id: mentionId(m.region), tabindex: "-1", dataset: { region: m.region } },
    el("div", { class: "mention-head" }, el("strong", {}, applicant(m.region, m.county)),
      m.applicant_type ? el("span", { class: "badge" }, m.applicant_type) : null,
      el("span", { class: "badge badge-muted" }, "未申报"), el("span", { class: "hint" }, what)),
    possible.length ? el("p", { class: "hint mention-docs" }, "可能涉及（未作为申报事项）：",
      possible.map((d, i) => [i ? "、" : "", el("a", { href: documentLink(d.id) }, docName(d))])) : null,
    b ? el("blockquote", { class: "mention-best" },
      el("p", { class: "text" }, b.heading ? el("strong", {}, `${b.heading} `) : null, b.text),
      el("div", { class: "passage-facts" }, strengthBadge(b, { showReason: true }), b.late ? lateBadge(lateWhy(b.document_id), "passage-late") : null,
        el("a", { href: documentLink(b.document_id, b.passage_id) }, `在原文中查看（${pages(b.page, b.end_page)}）`))) : null,
    el("div", { class: "override" },
      el("label", { for: id }, box, "未申报，特别推荐（需说明理由）"), add,
      el("span", { class: "hint", id: `${id}-note` }, "勾选后才能加入推荐名单，导出时注明“未申报该措施，经审核确认列入”。")));
}

function renderMentioned() {
  if (!mentioned.length) {
    clear(mentionedBox);
    return;
  }
  clear(mentionedBox,
    el("h3", { id: "mentioned-title" }, `仅提及（未申报）：${mentioned.length} 个`),
    el("p", { class: "hint", "data-testid": "mentioned-note" },
      "这些申报主体没有申报此项措施：它们的材料只在个别段落提及，或只是“可能”涉及。不计入申报地区数，不参与上方比较，"
      + "也不能直接加入推荐名单；确有突出成效的，可勾选“未申报，特别推荐（需说明理由）”后列入，并在推荐理由中说明。"),
    el("ul", { class: "mention-list", "aria-labelledby": "mentioned-title" }, mentioned.map(mentionItem)));
}

function focusRegion(name) {
  const card = document.getElementById(regionId(name)) || document.getElementById(mentionId(name));
  if (!card) return;
  card.scrollIntoView({ behavior: "smooth", block: "nearest", inline: "start" });
  card.focus({ preventScroll: true });
}

function declaredText(ev) {
  const n = ev.regions.length;
  const m = ev.mentioned?.length || 0;
  return `${n} 个地区申报${m ? ` · ${m} 个仅提及（未申报）` : ""}`;
}

async function loadEvidence() {
  try {
    const [ev, deadlines] = await Promise.all([api(`/api/measures/${measure}/evidence`), api("/api/deadlines").catch(() => null)]);
    late = new Map((deadlines?.late || []).map((x) => [x.document_id, x.reasons.join("；")]));
    mentioned = ev.mentioned || [];
    const ids = [...ev.regions.flatMap((r) => r.passages.map((p) => p.passage_id))];
    states = await reviewStates(ids);
    document.getElementById("declared-count").textContent = declaredText(ev);
    const byName = new Map(ev.regions.map((r) => [r.region, r]));
    regions = ev.regions.map((r) => {
      const best = r.passages[0] || null;
      return {
        region: r.region, county: r.county, type: r.applicant_type, eligible: r.eligible, best,
        // strongest evidence first (强 > 中 > 弱), the declaration's own score breaking ties
        strength: (STRENGTH_RANK[best?.strength] || 0) + Math.min(r.score || 0, 0.999),
        documents: r.documents.length,
        figures: r.figures.filter((f) => !f.suspect).length,
        main: r.figures.filter((f) => !f.suspect).slice(0, 3).map((f) => `${f.metric || ""}${figureText(f)}`).join("；"),
      };
    });
    renderMentioned();
    if (!regions.length) {
      clear(compareBody, el("tr", {}, el("td", { colspan: 7, class: "empty" }, "还没有地区申报此项措施。")));
      clear(cards, el("p", { class: "empty" }, mentioned.length ? "暂无申报，仅有提及（见下方）。" : "暂无证据。"));
      return;
    }
    const table = sortable(document.getElementById("compare"), {
      rows: () => regions,
      initial: { key: "strength", dir: "descending" },
      render: (sorted) => {
        clear(compareBody, sorted.map(compareRow));
        clear(cards, sorted.map((r) => regionCard(byName.get(r.region))));
      },
    });
    table.refresh();
    const hash = decodeURIComponent(location.hash.replace(/^#(region|mention)-/, ""));
    if (hash && (byName.has(hash) || mentioned.some((m) => m.region === hash))) focusRegion(hash);
  } catch (err) {
    clear(compareBody, el("tr", {}, el("td", { colspan: 7 }, errorBox(err))));
    clear(cards);
  }
}

scrollCue(document.getElementById("compare-wrap"));
scrollCue(cards);
scrollCue(document.getElementById("records-wrap"));

// -- 核查: passages copied across applicants, figures that contradict each other --------------------------------

const checksBox = document.getElementById("checks");

/** One side of a copy or a cited figure: 永川区《永川区-高标准农田-申报材料.txt》第1页, linked to the passage. */
function checkSide(s) {
  const name = s.filename ? `《${s.archive_path || s.filename}》` : "（其他地区材料）";
  return el("span", { class: "check-side" }, s.region ? el("strong", {}, applicant(s.region)) : null,
    s.document_id ? el("a", { href: documentLink(s.document_id, s.passage_id) }, name) : name, s.page ? pages(s.page) : "");
}

function copyFinding(c) {
  const [first, later] = c.first === "a" ? [c.a, c.b] : [c.b, c.a];
  const text = later.text || first.text;
  return el("li", { class: "check-item check-copy", "data-testid": "copy-finding" },
    el("p", { class: "check-line" }, el("span", { class: "badge badge-warn" }, "段落雷同"), " ",
      checkSide(later), " 与 ", checkSide(first), " 相似 ", el("strong", { class: "check-sim" }, percent(c.similarity)),
      el("span", { class: "hint" }, `（${first.region || "对方"}材料在先）`)),
    text ? el("details", { class: "check-text" }, el("summary", {}, "查看雷同段落"), el("p", {}, text)) : null);
}

function figureFinding(k) {
  return el("li", { class: "check-item check-figure", "data-testid": "figure-finding", dataset: { kind: k.kind } },
    el("p", { class: "check-line" }, el("span", { class: "badge badge-bad" }, k.kind === "disagree" ? "数据矛盾" : "数据异常"), " ",
      el("strong", {}, applicant(k.region)), ` · ${k.metric}${k.period ? ` · ${k.period}` : ""}`,
      k.reason ? el("span", { class: "check-reason" }, `：${k.reason}`) : null),
    el("ul", { class: "check-figures" }, k.figures.map((f) => el("li", {},
      el("strong", { class: "raw" }, f.raw), " ", checkSide({ ...f, region: null })))));
}

/** Nothing found: say what was looked for. */
function checksEmpty() {
  return el("div", { class: "empty-state checks-empty", "data-testid": "checks-empty" },
    el("p", {}, el("strong", {}, "未发现段落雷同或数据矛盾。")),
    el("p", {}, "核查了申报此项措施的全部材料："),
    el("ul", {},
      el("li", {}, "段落雷同：不同申报主体的材料中逐字或高度相似的段落；通知原文、文件模板等各地共同引用的表述不算。"),
      el("li", {}, "数据矛盾：同一申报主体对同一指标、同一时期报出不同的数值（仅因四舍五入不同的不算）。"),
      el("li", {}, "数据异常：不可能成立的数据，如占比、覆盖率超过100%，数量为负数，增幅与前后数值不符。")));
}

async function loadChecks() {
  try {
    const found = await api(`/api/checks?measure=${measure}`);
    const copies = found.copies || [];
    const conflicts = found.figure_conflicts || [];
    checksBox.setAttribute("aria-busy", "false");
    if (!copies.length && !conflicts.length) {
      clear(checksBox, checksEmpty());
      return;
    }
    clear(checksBox,
      el("h3", {}, `段落雷同（${copies.length} 处）`),
      copies.length ? el("ul", { class: "check-list", "data-testid": "copies" }, copies.map(copyFinding))
        : el("p", { class: "hint" }, "未发现不同申报主体之间雷同的段落。"),
      el("h3", {}, `数据矛盾 / 数据异常（${conflicts.length} 处）`),
      conflicts.length ? el("ul", { class: "check-list", "data-testid": "figure-conflicts" }, conflicts.map(figureFinding))
        : el("p", { class: "hint" }, "未发现同一指标、同一时期数值不一致或不可能成立的数据。"));
  } catch (err) {
    checksBox.setAttribute("aria-busy", "false");
    clear(checksBox, errorBox(err));
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
      el("td", { class: "num" }, r.rank), el("td", {}, applicant(r.region)),
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

const OVERRIDE_LABEL = "未申报，特别推荐（需说明理由）";

function renderRecommendations(focusIndex = null) {
  const chosen = new Set(rec.items.map((i) => i.region));
  // only applicants that declared the measure are offered here; the others through their override box
  clear(addSelect, rec.candidates.filter((c) => c.declared !== false && !chosen.has(c.region)).map((c) =>
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
    const undeclared = cand?.declared === false || !!item.override;
    let override = null;
    if (undeclared) {
      const box = el("input", { type: "checkbox", checked: !!item.override, "data-testid": "rec-override" });
      box.addEventListener("change", () => {
        item.override = box.checked;
        setDirty(true);
      });
      override = el("label", { class: "override rec-override" }, box, OVERRIDE_LABEL);
    }
    return el("li", { class: `rec-item${undeclared ? " undeclared" : ""}`, dataset: { region: item.region } },
      el("div", { class: "rec-item-head" },
        el("span", {}, el("strong", {}, applicant(item.region, cand?.county)), cand?.applicant_type ? el("span", { class: "badge" }, cand.applicant_type) : null,
          undeclared ? el("span", { class: "badge badge-warn" }, "未申报 · 特别推荐") : null,
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
      override,
      el("label", { for: id }, `推荐理由（${item.region}）`), area, counter);
  }));
  if (focusIndex !== null) recList.querySelectorAll("textarea")[focusIndex]?.focus();
}

function addRecommendation(region, passageIds = [], { override = false } = {}) {
  const existing = rec.items.findIndex((i) => i.region === region);
  if (existing >= 0) {
    const item = rec.items[existing];
    item.passage_ids = [...new Set([...item.passage_ids, ...passageIds])].slice(0, 10);
    if (override) item.override = true;
    setDirty(true);
    renderRecommendations(existing);
  } else {
    rec.items.push({ region, justification: "", passage_ids: passageIds, ...(override ? { override: true } : {}) });
    setDirty(true);
    renderRecommendations(rec.items.length - 1);
  }
  document.getElementById("recommendation-panel").scrollIntoView({ behavior: "smooth", block: "nearest" });
  announce(override ? `已将未申报的 ${region} 作为特别推荐加入名单，请在推荐理由中说明` : `已将 ${region} 加入推荐名单，请填写推荐理由`);
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
  const declared = new Set(rec.candidates.filter((c) => c.declared !== false).map((c) => c.region));
  const unconfirmed = rec.items.filter((i) => !declared.has(i.region) && !i.override).map((i) => i.region);
  if (unconfirmed.length) {
    recStatus.textContent = `${unconfirmed.join("、")}未申报此项措施：请勾选“${OVERRIDE_LABEL}”，或将其移出名单。`;
    announce(recStatus.textContent);
    return;
  }
  try {
    const saved = await api(`/api/recommendations/${measure}`, { method: "PUT", body: { items: rec.items } });
    rec = { ...rec, ...saved };
    renderRecommendations(); // the rows edit the saved items from now on, not the ones sent
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

loadEvidence();
loadChecks();
loadRecords();
loadRecommendations();
