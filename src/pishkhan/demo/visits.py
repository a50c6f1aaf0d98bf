"""What a demo inspector answers on a visit, for whatever checklist the case's step names
(shared by the demo builders of cases, permits and excavation)."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pishkhan.cases.checklists import VIOLATIONS, ChecklistSpec
from pishkhan.cases.fields import PHOTO


def demo_answers(
    checklist: ChecklistSpec | None, known: dict[str, Any], seen: list[str], parcel_id: int
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """A demo visit's answers to whatever checklist the step names: what the demo knows
    of the parcel for the items it recognises, a plain answer for the rest, and the
    fewest photos each photo item needs (small generated pictures, named as demo)."""
    answers: dict[str, Any] = {}
    photos: dict[str, list[Any]] = {}
    for item in checklist.items if checklist else ():
        if item.type == PHOTO:
            photos[item.code] = [
                demo_photo(f"demo-visit-{parcel_id}-{item.code}-{k}.jpg")
                for k in range(item.photos_min)
            ]
        elif item.code == VIOLATIONS:
            choices = [code for code, _ in item.choices]
            answers[item.code] = (choices[:1] if seen else []) if choices else seen
        elif item.code in known and (
            item.type != "choice" or known[item.code] in dict(item.choices)
        ):
            answers[item.code] = known[item.code]
        elif item.type == "choice":
            answers[item.code] = item.choices[-1][0]
        elif item.type == "multichoice" and item.required:
            answers[item.code] = [item.choices[0][0]]
        elif item.type in ("integer", "decimal"):
            answers[item.code] = item.min if item.min is not None else 0
        elif item.type == "bool":
            answers[item.code] = not seen
    return answers, photos


def demo_photo(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color=(180, 170, 150)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
