"""Originals in a folder or in S3-compatible storage: the same content-addressed behaviour."""

from __future__ import annotations

import hashlib
import io

import pytest

from index import Store
from index.objects import LocalObjects, S3Objects, open_objects
from tests.conftest import ingest_into

DATA = "重庆市璧山区人民政府关于申报督查激励事项的报告\n全年新增就业1.2万人。\n".encode()
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(params=["local", "s3"])
def objects(request, tmp_path):
    if request.param == "local":
        return LocalObjects(tmp_path / "files")
    return S3Objects(request.getfixturevalue("s3_bucket"), tmp_path / "cache")


def test_a_stream_is_stored_once_under_its_hash_and_read_back(objects):
    assert objects.put_stream(io.BytesIO(DATA), limit=10_000) == (SHA, len(DATA), DATA[:64])
    assert objects.exists(SHA) and objects.path(SHA).read_bytes() == DATA
    assert objects.put_stream(io.BytesIO(DATA), limit=10_000)[0] == SHA  # again: nothing rewritten


def test_an_oversized_stream_keeps_nothing(objects):
    sha, size, _ = objects.put_stream(io.BytesIO(DATA), limit=10)
    assert sha == "" and size > 10 and not objects.exists(SHA)


def test_a_missing_original_is_a_path_that_does_not_exist(objects):
    assert not objects.path("0" * 64).exists()


def test_a_staged_file_is_taken_in_and_its_staging_copy_removed(objects, tmp_path):
    staged = tmp_path / "staged.bin"
    staged.write_bytes(DATA)
    objects.put_file(staged, SHA)
    assert not staged.exists() and objects.path(SHA).read_bytes() == DATA


def test_the_store_url_picks_the_backend(tmp_path, monkeypatch, s3_bucket):
    assert isinstance(open_objects(tmp_path), LocalObjects)
    monkeypatch.setenv("JILI_STORE_URL", s3_bucket)
    assert isinstance(open_objects(tmp_path), S3Objects)
    with pytest.raises(ValueError, match="JILI_STORE_URL"):
        open_objects(tmp_path, "ftp://nowhere")


def test_documents_ingested_with_s3_originals_are_served_from_the_bucket(tmp_path, monkeypatch, s3_bucket):
    import boto3

    monkeypatch.setenv("JILI_STORE_URL", s3_bucket)
    source = tmp_path / "璧山区-申报材料.txt"
    source.write_bytes(DATA)
    [row] = ingest_into(tmp_path / "data", [source])
    assert row["status"] == "done"
    bucket, endpoint = s3_bucket[5:].split("/")[0], s3_bucket.split("endpoint=")[1]
    keys = [o["Key"] for o in boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
            .list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"originals/{SHA[:2]}/{SHA[2:4]}/{SHA}"]
    assert not (tmp_path / "data" / "files").exists() or not any((tmp_path / "data" / "files").rglob(SHA))
    store = Store(tmp_path / "data")
    try:
        assert store.original_path(SHA).read_bytes() == DATA
    finally:
        store.close()
