"""A real `jili serve` on loopback with the sample corpus, one token per role, and headless Chromium.

The browser is Debian's chromium driven by Playwright (test tools cannot download browsers here);
the tests skip cleanly when either is missing. Screenshots go to tests/_artifacts/screenshots/.
"""

from __future__ import annotations

import datetime
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from corpora import CORPORA_DIR
from index import Store
from index.auth import Role, create_token
from tests.api.conftest import service  # noqa: F401  (the in-process service, for the routes' tests)

REPO = Path(__file__).resolve().parents[2]
SAMPLES = CORPORA_DIR / "samples"
SCREENSHOTS = REPO / "tests" / "_artifacts" / "screenshots"
README_SCREENSHOT = REPO / "docs" / "screenshot.png"
CHROMIUM = Path(os.environ.get("JILI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
JILI = str(Path(sys.executable).parent / "jili")
LATE_FILE = "铜梁区-高标准农田-补报材料.docx"


def late_declaration() -> bytes:
    """A 铜梁区 declaration for measure 15 written (成文日期) and created after the 2023-02-01 deadline."""
    import docx

    d = docx.Document()
    for text in ("重庆市铜梁区人民政府关于申报2022年度推进高标准农田建设和稳定粮食生产督查激励事项的报告",
                 "市农业农村委、市财政局：",
                 "2022年，我区把高标准农田建设作为稳定粮食生产的重要抓手，全年建成高标准农田3.2万亩，完成市下达任务的"
                 "104.5%，粮食播种面积98.6万亩，粮食总产量38.2万吨。",
                 "一是创新“田长制+网格员”管护机制，二是推广宜机化改造1.1万亩，高标准农田建成后亩均粮食产能提高90公斤。",
                 "重庆市铜梁区人民政府", "2023年2月10日"):
        d.add_paragraph(text)
    d.core_properties.created = datetime.datetime(2023, 2, 9, 9, 30)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_processed(client: httpx.Client, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batches = client.get("/api/batches", params={"limit": 500}).json()["batches"]
        if batches and all(b["progress"]["complete"] for b in batches):
            return
        time.sleep(0.3)
    raise RuntimeError("the sample corpus was not processed in time")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`jili serve` with one text worker on a free port, the samples uploaded and processed."""
    data_dir = tmp_path_factory.mktemp("ui-data")
    store = Store(data_dir)
    tokens = {
        "admin": create_token(store, Role.ADMIN, name="管理员")[0],
        "hechuan": create_token(store, Role.UPLOADER, region="合川区", name="合川区政府办")[0],
        "bishan": create_token(store, Role.UPLOADER, region="璧山区", name="璧山区政府办")[0],
        "agri": create_token(store, Role.REVIEWER, lead_units=["市农业农村委"], name="市农业农村委")[0],
        "sci": create_token(store, Role.REVIEWER, lead_units=["市科技局"], name="市科技局")[0],
        "pub": create_token(store, Role.PUBLICITY, name="宣传处")[0],
    }
    port = _free_port()
    log = data_dir / "serve.log"
    env = dict(os.environ, JILI_OCR="false", JILI_PARSE_TIMEOUT_S="60", JILI_LEASE_S="30")
    proc = subprocess.Popen([JILI, "serve", "--data-dir", str(data_dir), "--port", str(port), "--no-admin-token",
                             "--workers", "1", "--ocr-workers", "0"], env=env, stdout=log.open("ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"jili serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        uploads = {}
        for who, pattern in (("hechuan", "合川区*"), ("bishan", "璧山区*")):
            path = next(SAMPLES.glob(pattern))
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens[who]}"}, timeout=60) as c:
                r = c.post("/api/batches", files=[("files", (path.name, path.read_bytes()))])
                assert r.status_code == 202, r.text
                uploads[who] = r.json()["batch_id"]
        others = [p for p in sorted(SAMPLES.glob("*")) if p.suffix in (".pdf", ".docx")
                  and not p.name.startswith(("合川", "璧山"))]
        admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens['admin']}"}, timeout=60)
        r = admin.post("/api/batches", files=[("files", (p.name, p.read_bytes())) for p in others]
                       + [("files", (LATE_FILE, late_declaration()))])
        assert r.status_code == 202, r.text
        _wait_until_processed(admin)
        docs = {}
        for who, batch in uploads.items():
            docs[who] = admin.get(f"/api/batches/{batch}").json()["files"][0]["document_id"]
        yield {"base": base, "port": port, "tokens": tokens, "store": store, "docs": docs, "admin": admin,
               "data_dir": data_dir}
        admin.close()
    finally:
        store.close()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Session:
    """One signed-in browser context: a page, downloads, and a record of off-server requests."""

    def __init__(self, browser, server, *, width=1366, height=768):
        self.server = server
        self.base = server["base"]
        self.context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                           accept_downloads=True)
        self.context.set_default_timeout(20_000)
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._only_this_server)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _only_this_server(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:  # nothing may be fetched from the internet at run time
            self.foreign.append(url)
            route.abort()

    def url(self, path: str) -> str:
        return self.base + path

    def sign_in(self, who: str) -> None:
        self.page.goto(self.url("/ui/login"))
        self.page.fill("#token", self.server["tokens"][who])
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(lambda u: "/ui/login" not in u)

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self) -> None:
        self.context.close()
        assert self.foreign == [], f"requests left the server: {self.foreign}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"


@pytest.fixture
def session(browser, server):
    made: list[Session] = []

    def make(who: str | None = None, **viewport) -> Session:
        s = Session(browser, server, **viewport)
        made.append(s)
        if who:
            s.sign_in(who)
        return s

    yield make
    for s in made:
        s.close()


def publish_screenshot(path: Path) -> None:
    """Copy a screenshot for the README when there is none yet, or on purpose (JILI_UPDATE_SCREENSHOT=1)."""
    if os.environ.get("JILI_UPDATE_SCREENSHOT") == "1" or not README_SCREENSHOT.exists():
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, README_SCREENSHOT)
