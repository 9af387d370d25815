"""Settings for the CLI and the service, from the environment (prefix ``JILI_``) or arguments."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JILI_", env_file=None)

    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 200 * 1024 * 1024  # one file
    max_batch_bytes: int = 2 * 1024 * 1024 * 1024  # one request
    max_members_per_upload: int = 2000  # files one upload may unpack to, across nested archives
    # each file is read in a limited child process (api/sandbox.py)
    parse_timeout_s: float = 300.0  # wall time
    parse_cpu_s: float = 300.0
    parse_memory_mb: int = 1536  # address space beyond what the warm child already maps
    parse_output_mb: int = 256
    max_pages: int = 2000
    text_workers: int = _cores()
    ocr_workers: int = 1
    lease_s: float = 60.0  # a running job's lease; its worker extends it every lease_s / 3
    worker_stale_s: float = 30.0  # a worker silent this long (on another host) is taken for dead
    max_attempts: int = 3
    ocr: bool = True

    def child_env(self) -> dict[str, str]:
        """HOME, XDG and temp folders inside the data directory: jili writes nothing outside it."""
        root = Path(self.data_dir).resolve()
        env = {"HOME": root / "home", "XDG_CACHE_HOME": root / "home" / ".cache",
               "XDG_CONFIG_HOME": root / "home" / ".config", "XDG_DATA_HOME": root / "home" / ".local" / "share",
               "XDG_RUNTIME_DIR": root / "home" / "run", "TMPDIR": root / "tmp" / "sys"}
        for path in env.values():
            path.mkdir(parents=True, exist_ok=True)
        (root / "home" / "run").chmod(0o700)
        return {k: str(v) for k, v in env.items()}

    def confine(self) -> None:
        """Point this process's HOME, XDG and temp folders into the data directory (see `child_env`)."""
        import tempfile

        os.environ.update(self.child_env())
        tempfile.tempdir = None  # recomputed from TMPDIR
