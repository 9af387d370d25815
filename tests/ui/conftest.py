"""A real `jili serve` on loopback with the sample corpus, one token per role, and headless Chromium.

The browser is Debian's chromium driven by Playwright (test tools cannot download browsers here);
the tests skip cleanly when either is missing. Screenshots go to tests/_artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

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


# Findings for the checks (核查): two applicants' declarations sharing a practice paragraph word for word (江津区
# stored first, 永川区 later, uploaded by 永川区 itself), and two 永川区 documents stating different sown areas.
COPIED_PRACTICE = ("一是创新“田长+网格员+管护员”三级管护机制，由村集体经济组织统一承担建后管护，管护经费纳入区级财政预算，"
                   "做到建成一片、管好一片；二是推行“先建后补、以奖代补”，引导种粮大户、家庭农场和农民专业合作社自主参与"
                   "农田建设，形成建设、管护、利用一体推进的长效机制。")
COPY_FIRST = "江津区-高标准农田-申报材料.txt"
COPY_LATER = "永川区-高标准农田-申报材料.txt"
CONFLICT_FILE = "永川区-粮食生产-情况说明.txt"
SEWAGE_FILE = "涪陵区-农村生活污水治理-补充材料.txt"


def copied_declaration(region: str, facts: str, day: int) -> bytes:
    """A short measure-15 declaration of `region` carrying `COPIED_PRACTICE`, as UTF-8 text."""
    who = f"重庆市{region}人民政府"
    return (f"{who}关于申报2022年度推进高标准农田建设和稳定粮食生产督查激励事项的报告\n"
            "市农业农村委、市财政局：\n"
            f"2022年，{facts}\n"
            f"{COPIED_PRACTICE}\n"
            f"{who}\n2023年1月{day}日\n").encode()


def conflicting_statement() -> bytes:
    """A second 永川区 document whose sown area (142.6万亩) contradicts its declaration's (158.6万亩)."""
    return ("重庆市永川区农业农村委员会关于2022年粮食生产情况的说明\n"
            "2022年，全区粮食播种面积142.6万亩，粮食总产量52.8万吨，粮食生产保持稳定。\n"
            "重庆市永川区农业农村委员会\n2023年1月20日\n").encode()


def sewage_statement() -> bytes:
    """Sewage treatment in words the declarations use (截污纳管, 生活污水), never the words 污水直排."""
    return ("重庆市涪陵区人民政府关于农村生活污水治理工作的补充材料\n"
            "2022年，全区全面推进截污纳管，新建污水收集管网86公里，场镇生活污水集中处理率达到95%。\n"
            "重庆市涪陵区人民政府\n2023年1月16日\n").encode()


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


@contextlib.contextmanager
def _serve(data_dir: Path):
    """`jili serve` with one text worker on a free port over `data_dir`; yields its base URL."""
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
        yield base
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`jili serve` with one text worker on a free port, the samples uploaded and processed."""
    data_dir = tmp_path_factory.mktemp("ui-data")
    store = Store(data_dir)
    tokens = {
        "admin": create_token(store, Role.ADMIN, name="管理员")[0],
        "hechuan": create_token(store, Role.UPLOADER, region="合川区", name="合川区政府办")[0],
        "bishan": create_token(store, Role.UPLOADER, region="璧山区", name="璧山区政府办")[0],
        "fengjie": create_token(store, Role.UPLOADER, region="奉节县", name="奉节县政府办")[0],
        "yongchuan": create_token(store, Role.UPLOADER, region="永川区", name="永川区政府办")[0],
        "agri": create_token(store, Role.REVIEWER, lead_units=["市农业农村委"], name="市农业农村委")[0],
        "sci": create_token(store, Role.REVIEWER, lead_units=["市科技局"], name="市科技局")[0],
        "pub": create_token(store, Role.PUBLICITY, name="宣传处")[0],
    }
    try:
        with _serve(data_dir) as base:
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
                           + [("files", (LATE_FILE, late_declaration())),
                              ("files", (COPY_FIRST, copied_declaration(
                                  "江津区", "全区建成高标准农田4.6万亩，完成市下达任务的106.2%，粮食总产量61.3万吨。", 12))),
                              ("files", (SEWAGE_FILE, sewage_statement()))])
            assert r.status_code == 202, r.text
            _wait_until_processed(admin)
            # stored after 江津区's: 永川区 copied the practice, and contradicts itself on the sown area
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {tokens['yongchuan']}"},
                              timeout=60) as c:
                r = c.post("/api/batches", files=[
                    ("files", (COPY_LATER, copied_declaration(
                        "永川区", "全区建成高标准农田5.1万亩，全区粮食播种面积158.6万亩，粮食总产量52.8万吨。", 18))),
                    ("files", (CONFLICT_FILE, conflicting_statement()))])
                assert r.status_code == 202, r.text
            _wait_until_processed(admin)
            docs = {}
            for who, batch in uploads.items():
                docs[who] = admin.get(f"/api/batches/{batch}").json()["files"][0]["document_id"]
            yield {"base": base, "port": urlsplit(base).port, "tokens": tokens, "store": store, "docs": docs,
                   "admin": admin, "data_dir": data_dir}
            admin.close()
    finally:
        store.close()


# Every declaring applicant of a full campaign: the 38 区县, the 3 platforms that declare in their own right,
# and two townships (uploaded by their county), for the tables that must stay usable with all of them.
CROWD_TOWNSHIPS = (("草堂镇", "奉节县"), ("白沙镇", "江津区"))


def crowd_regions() -> list[str]:
    import yaml

    catalog = yaml.safe_load((CORPORA_DIR / "regions.yaml").read_text(encoding="utf-8"))["regions"]
    counties = [r["name"] for r in catalog if r["kind"] in ("district", "county", "autonomous_county")]
    return counties + ["重庆两江新区", "西部科学城重庆高新区", "重庆万盛经济技术开发区"]


def crowd_declaration(name: str, i: int, township: str | None = None) -> bytes:
    """A short measure-15 declaration by `name` (a township of `name` when given), as GBK text."""
    who = f"重庆市{name}{township}人民政府" if township else (
        f"{name}管理委员会" if name.startswith(("重庆", "西部")) else f"重庆市{name}人民政府")
    text = (f"{who}关于申报2022年度推进高标准农田建设和稳定粮食生产督查激励事项的报告\n"
            "市农业农村委、市财政局：\n"
            f"2022年，我们把高标准农田建设作为稳定粮食生产的重要抓手，全年建成高标准农田{1 + i % 7}.{i % 10}万亩，"
            f"完成市下达任务的{101 + i % 9}.{i % 10}%，粮食播种面积{40 + i}.{i % 10}万亩，粮食总产量{10 + i}.{(i * 3) % 10}万吨。\n"
            "一是落实耕地保护和粮食安全责任，二是推进高标准农田建后管护，亩均粮食产能明显提高。\n"
            f"{who}\n2023年1月{1 + i % 28}日\n")
    return text.encode("gbk")


@pytest.fixture(scope="session")
def crowded_server(tmp_path_factory):
    """A second `jili serve` holding one measure-15 declaration from each of 43 applicants (no samples)."""
    data_dir = tmp_path_factory.mktemp("ui-crowd")
    store = Store(data_dir)
    tokens = {"admin": create_token(store, Role.ADMIN, name="管理员")[0],
              "agri": create_token(store, Role.REVIEWER, lead_units=["市农业农村委"], name="市农业农村委")[0]}
    try:
        with _serve(data_dir) as base, httpx.Client(base_url=base, timeout=60,
                                                    headers={"Authorization": f"Bearer {tokens['admin']}"}) as admin:
            names = crowd_regions()
            uploads = [(name, None) for name in names] + [(county, town) for town, county in CROWD_TOWNSHIPS]
            for i, (region, township) in enumerate(uploads):
                filename = f"{township or region}-高标准农田-申报报告.txt"
                r = admin.post("/api/batches", data={"region": region},
                               files=[("files", (filename, crowd_declaration(region, i, township)))])
                assert r.status_code == 202, r.text
            _wait_until_processed(admin)
            yield {"base": base, "tokens": tokens, "store": store, "data_dir": data_dir, "admin": admin,
                   "applicants": len(uploads)}
    finally:
        store.close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    # Chromium's singleton socket must fit a Unix socket path (108 bytes): a short temp dir of its own,
    # whatever TMPDIR the test run has.
    with tempfile.TemporaryDirectory(prefix="jili-ui-", dir="/tmp") as short, sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env={**os.environ, "TMPDIR": short})
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


def _sessions(browser, server):
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


@pytest.fixture
def session(browser, server):
    yield from _sessions(browser, server)


@pytest.fixture
def crowded_session(browser, crowded_server):
    """Signed-in browser sessions against the server with 43 applicants."""
    yield from _sessions(browser, crowded_server)


def publish_screenshot(path: Path) -> None:
    """Copy a screenshot for the README when there is none yet, or on purpose (JILI_UPDATE_SCREENSHOT=1)."""
    if os.environ.get("JILI_UPDATE_SCREENSHOT") == "1" or not README_SCREENSHOT.exists():
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, README_SCREENSHOT)


def document_id(server, filename: str) -> str:
    """The stored document of an uploaded file name."""
    return next(server["store"].db.query("SELECT id FROM documents WHERE filename = ?", [filename]))["id"]


def passage_id(server, filename: str, text: str) -> int:
    """The stored passage of a file whose text is exactly `text`."""
    return next(server["store"].db.query(
        "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.filename = ? AND p.text = ?",
        [filename, text]))["id"]


def zip_bytes(files: dict[str, bytes]) -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()
