// Upload page: drag-and-drop or pick files and zips, per-file upload progress, then each file's final
// state from the batch's progress events (SSE), with the reason for failures; and the batch history.
import {
  announce, api, applicant, clear, deadlinesPanel, documentLink, el, errorBox, formatBytes, formatTime, LATE_SOURCES,
  reasonOf, STATUS,
} from "./common.js";

const zone = document.getElementById("dropzone");
const input = document.getElementById("file-input");
const current = document.getElementById("current");
const historyBody = document.querySelector("#history tbody");
const FINAL = new Set(["done", "duplicate", "failed"]);

// -- one batch on screen ---------------------------------------------------------------------------------

class BatchView {
  constructor() {
    this.rows = new Map(); // file id -> row element
    this.pending = []; // rows of files still being uploaded, in form order
    this.text = el("span", { class: "batch-text", "data-testid": "batch-text" }, "准备上传…");
    this.bar = el("progress", { max: 1, value: 0, "aria-label": "批次总进度" });
    this.list = el("ul", { class: "file-list", "data-testid": "file-list" });
    this.root = el("div", { class: "batch", "aria-live": "off" },
      el("div", { class: "batch-summary" }, this.text, this.bar), this.list);
    clear(current, this.root);
  }

  row(file) {
    const name = el("span", { class: "file-name" });
    const bar = el("progress", { max: 1, value: 0, "aria-label": `${file.filename} 进度` });
    const state = el("span", { class: "file-state badge" });
    const reason = el("div", { class: "file-reason" });
    const facts = el("div", { class: "file-facts", "data-testid": "file-facts" });
    const warning = el("p", { class: "file-warning alert alert-warn", role: "note", "data-testid": "file-warning" });
    const li = el("li", { class: "file-row", dataset: { status: file.status || "waiting" } }, name, bar, state, facts, warning, reason);
    li._parts = { name, bar, state, reason, facts, warning };
    li._file = file;
    this.update(li, file);
    return li;
  }

  update(li, f) {
    const { name, bar, state, reason, facts, warning } = li._parts;
    const status = f.kind === "archive" && f.status === "done" ? "expanded" : f.status;
    li.dataset.status = status;
    if (f.id) li.dataset.fileId = f.id;
    const label = f.archive_path ? f.archive_path : f.filename;
    const size = f.size ? el("small", {}, formatBytes(f.size)) : null;
    if (f.document_id && (status === "done" || status === "duplicate")) {
      clear(name, el("a", { href: documentLink(f.document_id) }, label), size);
    } else {
      clear(name, label, size);
    }
    if (FINAL.has(f.status)) {
      bar.max = 1;
      bar.value = 1;
    } else if (status === "processing" || status === "queued") {
      bar.removeAttribute("value"); // indeterminate while the server works on it
    }
    let text = STATUS[status] || status;
    if (status === "expanded") {
      const members = [...this.rows.values()].filter((r) => r.dataset.parent === String(f.id)).length;
      text = `已解压（${members} 个文件）`;
    }
    state.textContent = text;
    state.className = `file-state badge${status === "failed" ? " badge-bad" : FINAL.has(status) || status === "expanded" ? " badge-ok" : ""}`;
    clear(reason, f.status === "failed" ? reasonOf(f) : []);
    const stored = f.document_id && (status === "done" || status === "duplicate");
    clear(facts, stored ? fileFacts(f) : []);
    warning.textContent = stored && f.region_warning ? `申报单位提示：${f.region_warning}` : "";
  }

  /** Rows for the files about to be uploaded (before the server knows them). */
  start(files) {
    this.pending = files.map((file) => {
      const li = this.row({ filename: file.name, size: file.size, status: "uploading" });
      this.list.append(li);
      return li;
    });
    this.text.textContent = `正在上传 ${files.length} 个文件…`;
  }

  uploadProgress(files, loaded, total) {
    // the multipart body holds the files in order: bytes sent tell how far each file is
    const sizes = files.map((f) => f.size);
    const sum = sizes.reduce((a, b) => a + b, 0) || 1;
    const sent = (loaded / (total || 1)) * sum;
    let before = 0;
    files.forEach((f, i) => {
      const fraction = f.size ? Math.min(1, Math.max(0, (sent - before) / f.size)) : (sent >= before ? 1 : 0);
      const { bar } = this.pending[i]._parts;
      bar.value = fraction;
      before += f.size;
    });
    this.bar.value = loaded / (total || 1) * 0.5;
  }

  accepted(response) {
    response.files.forEach((f, i) => {
      const li = this.pending[i];
      if (!li) return;
      this.rows.set(f.id, li);
      this.update(li, { ...li._file, ...f });
    });
    this.pending = [];
    this.text.textContent = "上传完成，正在处理…";
  }

  refresh(batch) {
    for (const f of batch.files) {
      let li = this.rows.get(f.id);
      if (!li) {
        li = this.row(f);
        this.rows.set(f.id, li);
        if (f.parent_id) {
          li.classList.add("member");
          li.dataset.parent = String(f.parent_id);
          const siblings = [...this.list.querySelectorAll(`[data-parent="${f.parent_id}"]`)];
          const after = siblings.at(-1) || this.rows.get(f.parent_id);
          if (after) after.after(li);
          else this.list.append(li);
        } else {
          this.list.append(li);
        }
      }
      this.update(li, f);
    }
    for (const f of batch.files) if (f.kind === "archive") this.update(this.rows.get(f.id), f);
    const p = batch.progress;
    const failed = p.counts.failed || 0;
    const ok = (p.counts.done || 0) + (p.counts.duplicate || 0);
    this.bar.value = p.complete ? 1 : 0.5 + p.progress * 0.5;
    this.text.textContent = p.complete
      ? `处理完成：${ok} 个成功${failed ? `，${failed} 个失败` : ""}（共 ${p.total} 个文件）`
      : `处理中：${p.finished}/${p.total} 个文件已完成`;
    this.root.dataset.complete = String(p.complete);
    this.root.dataset.batch = batch.id;
  }
}

/** What a stored file turned out to be: the applicant, its type, the measures it declares, its 成文日期, and
 *  whether it came in on time (with what decided that: the document's date, the file's metadata, the upload). */
function fileFacts(f) {
  const source = LATE_SOURCES[f.late_source] || null;
  const timing = f.late === true
    ? el("span", { class: "badge badge-warn", "data-testid": "file-late", title: source ? `依据${source} ${f.late_date || ""}` : "" },
      `逾期${source ? `（依据${source}${f.late_date ? ` ${f.late_date}` : ""}）` : ""}`)
    : f.late === false
      ? el("span", { class: "badge badge-ok", "data-testid": "file-late" }, `按时${source ? `（依据${source}）` : ""}`)
      : null;
  return [
    el("span", { "data-testid": "file-applicant" }, el("span", { class: "fact-label" }, "申报主体 "),
      f.region ? el("strong", {}, applicant(f.region, f.county)) : el("strong", {}, "未识别")),
    f.applicant_type ? el("span", { class: "badge" }, f.applicant_type) : null,
    el("span", { "data-testid": "file-measures" }, f.measures?.length ? f.measures.map((m) => `措施${m}`).join("、") : "未识别到申报措施"),
    el("span", { "data-testid": "file-date" }, el("span", { class: "fact-label" }, "成文日期 "), f.doc_date || "未识别"),
    timing,
  ];
}

// -- following a batch to its end -------------------------------------------------------------------------

function follow(batchId, view) {
  let busy = false;
  let again = false;
  let finished = false;
  const refresh = async () => {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const batch = await api(`/api/batches/${batchId}`);
      view.refresh(batch);
      if (batch.progress.complete && !finished) {
        finished = true;
        stop();
        announce(view.text.textContent);
        loadHistory();
      }
    } catch (err) {
      view.text.textContent = `无法获取进度：${err.message}`;
    } finally {
      busy = false;
      if (again && !finished) { again = false; refresh(); }
    }
  };
  let timer = null;
  const source = new EventSource(`/api/batches/${batchId}/events`);
  const stop = () => { source.close(); if (timer) clearInterval(timer); };
  source.addEventListener("progress", refresh);
  source.addEventListener("complete", refresh);
  source.onerror = () => { // the stream ended or broke: keep polling until the batch is complete
    source.close();
    if (!timer && !finished) timer = setInterval(refresh, 1500);
  };
  refresh();
}

function upload(files) {
  if (!files.length) return;
  const view = new BatchView();
  view.start(files);
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  const note = document.getElementById("note").value.trim();
  if (note) form.append("note", note);
  const region = document.getElementById("region")?.value.trim();
  if (region) form.append("region", region);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/api/batches");
  xhr.responseType = "json";
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (e) => view.uploadProgress(files, e.loaded, e.total));
  xhr.addEventListener("load", () => {
    if (xhr.status === 202) {
      view.accepted(xhr.response);
      announce(`已上传 ${files.length} 个文件，正在处理`);
      follow(xhr.response.batch_id, view);
      loadHistory();
      return;
    }
    if (xhr.status === 401) { location.assign("/ui/login?next=/ui/upload"); return; }
    const message = xhr.response?.error?.message || `HTTP ${xhr.status}`;
    for (const li of view.pending) view.update(li, { ...li._file, status: "failed", error_message: message, error_code: xhr.response?.error?.code });
    view.text.textContent = `上传失败：${message}`;
    announce(view.text.textContent);
  });
  xhr.addEventListener("error", () => {
    view.text.textContent = "上传失败：网络错误，请重试。";
    announce(view.text.textContent);
  });
  xhr.send(form);
}

// -- drop zone ---------------------------------------------------------------------------------------------

for (const type of ["dragenter", "dragover"]) {
  zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("dragover"); });
}
for (const type of ["dragleave", "dragend"]) zone.addEventListener(type, () => zone.classList.remove("dragover"));
zone.addEventListener("drop", (e) => {
  e.preventDefault();
  zone.classList.remove("dragover");
  upload([...(e.dataTransfer?.files || [])]);
});
// a file dropped beside the zone must not make the browser navigate away from the page
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => e.preventDefault());
input.addEventListener("change", () => {
  upload([...input.files]);
  input.value = "";
});

// -- batch history -----------------------------------------------------------------------------------------

async function showBatch(id) {
  const view = new BatchView();
  view.text.textContent = "正在加载…";
  follow(id, view);
  document.getElementById("current-title").scrollIntoView({ behavior: "smooth", block: "start" });
}

async function loadHistory() {
  try {
    const { batches } = await api("/api/batches?limit=30");
    if (!batches.length) {
      clear(historyBody, el("tr", {}, el("td", { colspan: 5, class: "empty" }, "暂无上传记录。")));
      return;
    }
    clear(historyBody, batches.map((b) => {
      const p = b.progress;
      const failed = p.counts.failed || 0;
      const ok = (p.counts.done || 0) + (p.counts.duplicate || 0);
      const result = p.complete
        ? el("span", { class: `badge ${failed ? "badge-bad" : "badge-ok"}` }, failed ? `${ok} 成功 · ${failed} 失败` : `${ok} 个全部成功`)
        : el("span", { class: "badge" }, `处理中 ${p.finished}/${p.total}`);
      // data-label: on a phone each row becomes a card of label/value pairs (app.css .stack-table)
      return el("tr", { dataset: { batch: b.id } },
        el("td", { "data-label": "上传时间" }, formatTime(b.created_at)), el("td", { "data-label": "备注", class: "batch-note" }, b.note || "—"),
        el("td", { class: "num", "data-label": "文件" }, p.total),
        el("td", { "data-label": "结果" }, result),
        el("td", { "data-label": "" }, el("button", { type: "button", class: "btn btn-small", onclick: () => showBatch(b.id) }, "查看明细")));
    }));
  } catch (err) {
    clear(historyBody, el("tr", {}, el("td", { colspan: 5 }, errorBox(err))));
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

loadHistory();
loadDeadlines();
