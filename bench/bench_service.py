"""Benchmark: end to end through the path users run, beside pdfplumber alone, in the same run.

    .venv/bin/python bench/bench_service.py [--files 192] [--workers 1]

The files: the sample declaration PDFs and, when ../shared is present, the real text-layer PDFs
(1–6 pages each, tables included), repeated with a unique trailing comment so that every file is new
to the store. The anchor: pdfplumber's `extract_text` on every page of the same files, in this process.
The product: a real `jili serve --workers N --ocr-workers 0` on loopback; all files uploaded in one
request; the clock runs from the request to the last file's final state (upload, queue, the limited
parser child, classification, figures, storing, FTS), so nothing users pay is skipped.
`jili ingest` on the same files is timed too. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import REAL  # noqa: E402

JILI = str(Path(sys.executable).parent / "jili")
GARBLED = {"gmt0031_standard_garbled_11p.pdf", "customs_form_bad_tounicode_1p.pdf",
           "paper_gbk_font_no_tounicode_garbled_1p.pdf", "image_with_text_mostly_1p.pdf"}


def file_set(folder: Path, n: int) -> tuple[list[Path], int]:
    """`n` PDFs written to `folder`, and their page count."""
    import pypdfium2 as pdfium

    base = sorted((REPO / "corpora" / "samples").glob("*.pdf"))
    if (REAL / "pdf").is_dir():
        base += [p for p in sorted((REAL / "pdf").glob("*.pdf")) if p.name not in GARBLED]
    folder.mkdir(parents=True, exist_ok=True)
    out, pages = [], 0
    for i in range(n):
        src = base[i % len(base)]
        path = folder / f"{i:04d}-{src.name}"
        path.write_bytes(src.read_bytes() + f"\n%jili-bench-{i}\n".encode())
        pdf = pdfium.PdfDocument(str(path))
        pages += len(pdf)
        pdf.close()
        out.append(path)
    return out, pages


def pdfplumber_alone(files: list[Path]) -> float:
    import pdfplumber

    started = time.perf_counter()
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
    return time.perf_counter() - started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def through_the_service(files: list[Path], workers: int, data: Path) -> tuple[float, dict]:
    import httpx

    env = dict(os.environ, JILI_OCR="false")
    token = subprocess.run([JILI, "token", "create", "--role", "admin", "--data-dir", str(data)], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    port = _free_port()
    log = open(data / "serve.log", "wb")  # noqa: SIM115 - the server writes to it until it stops
    proc = subprocess.Popen([JILI, "serve", "--data-dir", str(data), "--port", str(port), "--no-admin-token",
                             "--workers", str(workers), "--ocr-workers", "0"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"},
                          timeout=600)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        # the workers are warm once they have registered
        while len(client.get("/api/metrics").json()["workers"]) < workers:
            time.sleep(0.2)
        handles = [open(f, "rb") for f in files]  # noqa: SIM115 - closed below
        started = time.perf_counter()
        r = client.post("/api/batches", files=[("files", (f.name, h)) for f, h in zip(files, handles, strict=True)])
        for h in handles:
            h.close()
        r.raise_for_status()
        batch = r.json()["batch_id"]
        while True:
            progress = client.get(f"/api/batches/{batch}").json()["progress"]
            if progress["complete"]:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        return elapsed, progress["counts"]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()


def through_the_cli(folder: Path, data: Path) -> float:
    started = time.perf_counter()
    subprocess.run([JILI, "ingest", str(folder), "--db", str(data), "--no-ocr"], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=192)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jili-bench-service-"))
    try:
        files, pages = file_set(tmp / "files", args.files)
        print(f"{len(files)} PDFs, {pages} pages (sample declarations + real text-layer PDFs)")
        plumber = pdfplumber_alone(files)
        print(f"pdfplumber extract_text alone, one core:      {pages / plumber:6.1f} pages/s ({plumber:.1f} s)")
        service, counts = through_the_service(files, args.workers, tmp / "service")
        rate = pages / service
        print(f"jili serve --workers {args.workers}, one upload, to the end: {rate:6.1f} pages/s ({service:.1f} s) "
              f"{counts}")
        cli = through_the_cli(tmp / "files", tmp / "cli")
        print(f"jili ingest (same path, in the command):    {pages / cli:6.1f} pages/s ({cli:.1f} s)")
        per_core = rate / args.workers
        print(f"ratio to pdfplumber per core: {per_core / (pages / plumber):.2f}x (goal >= 3x, aim 5x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
