"""The sweeper deletes what a crash left: stored files no row names, once they are old
enough that no transaction can still be writing them."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from pishkhan.files.store import atomic_with_files, store_upload
from pishkhan.testing.uploads import image_bytes, scratch_uploads, stored_paths, upload

ORPHAN = "uploads/ab/abababababababababababababababab.pdf"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    return scratch_uploads(settings, tmp_path / "media")


def leave(media: Path, name: str, hours_ago: float) -> Path:
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7 left by a crash")
    moment = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)).timestamp()
    os.utime(path, (moment, moment))
    return path


@pytest.mark.django_db
def test_it_deletes_old_orphans_and_keeps_the_rest(media: Path, django_user_model: Any) -> None:
    user = django_user_model.objects.create_user(username="u", password="x" * 20)
    with atomic_with_files():
        kept = store_upload(user, upload(image_bytes("png"), "a.png"), purpose="p").file
    old = leave(media, ORPHAN, hours_ago=3)
    young = leave(media, "thumbs/cd/cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd.jpg", hours_ago=0)
    out = io.StringIO()
    call_command("sweep_upload_orphans", "--dry-run", stdout=out)
    assert f"would delete {ORPHAN}" in out.getvalue()
    assert old.exists()
    call_command("sweep_upload_orphans", stdout=io.StringIO())
    assert not old.exists()
    assert young.exists()  # its transaction may still be running
    assert media / kept.storage_name in stored_paths(media)
    assert media / kept.thumbnail_name in stored_paths(media)


@pytest.mark.django_db
def test_an_empty_store_has_nothing_to_sweep(media: Path) -> None:
    out = io.StringIO()
    call_command("sweep_upload_orphans", stdout=out)
    assert "0 orphan" in out.getvalue()
