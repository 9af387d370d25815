"""Settings for the CLI and the service, from the environment (prefix ``JILI_``) or arguments."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JILI_", env_file=None)

    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 200 * 1024 * 1024
    max_batch_bytes: int = 2 * 1024 * 1024 * 1024
    parse_timeout_s: float = 300.0
    max_pages: int = 2000
    workers: int = 2
    lease_s: float = 600.0
    max_attempts: int = 3
    ocr: bool = True
