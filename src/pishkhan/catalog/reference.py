"""The reference service catalog: every service the offices deliver, with its checklist.

This is real reference data, not demo data: a deployment loads it once and may load it
again after an upgrade. Rows are matched by their stable code (a document by its service
and title), so loading twice changes nothing, never duplicates a row and never deletes
what an administrator added. A service's `is_active` is set only when it is created: a
service the city switched off stays off.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from pishkhan.catalog.models import DocumentRequirement, ResponseCondition, ServiceType

DATA_FILE = Path(__file__).resolve().parent / "data" / "services.json"


@dataclass(frozen=True)
class DocumentSpec:
    title: str
    is_mandatory: bool
    note: str
    sort_order: int


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name: str
    category: str
    parent: str | None
    description: str
    requires_parcel: bool
    requires_visit: bool
    online_allowed: bool
    sort_order: int
    documents: tuple[DocumentSpec, ...]

    def fields(self, parent_id: int | None) -> dict[str, Any]:
        """The model fields the reference decides (everything but code and is_active)."""
        return {
            "name": self.name,
            "category": self.category,
            "parent_id": parent_id,
            "description": self.description,
            "requires_parcel": self.requires_parcel,
            "requires_visit": self.requires_visit,
            "online_allowed": self.online_allowed,
            "sort_order": self.sort_order,
        }


def _document(raw: dict[str, Any], position: int) -> DocumentSpec:
    return DocumentSpec(
        title=str(raw["title"]),
        is_mandatory=bool(raw["mandatory"]),
        note=str(raw.get("note") or ""),
        sort_order=(position + 1) * 10,
    )


def _service(raw: dict[str, Any]) -> ServiceSpec:
    return ServiceSpec(
        code=str(raw["code"]),
        name=str(raw["name"]),
        category=str(raw["category"]),
        parent=str(raw["parent"]) if raw.get("parent") else None,
        description=str(raw.get("description") or ""),
        requires_parcel=bool(raw["requires_parcel"]),
        requires_visit=bool(raw["requires_visit"]),
        online_allowed=bool(raw["online_allowed"]),
        sort_order=int(raw["sort_order"]),
        documents=tuple(_document(d, i) for i, d in enumerate(raw["documents"])),
    )


@functools.cache
def reference_services() -> tuple[ServiceSpec, ...]:
    """The catalog as the data file states it; parents come before their groups."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return tuple(_service(raw) for raw in data["services"])


def reference_codes() -> tuple[str, ...]:
    return tuple(spec.code for spec in reference_services())


def _upsert_service(spec: ServiceSpec, parent_id: int | None) -> tuple[ServiceType, int]:
    """The service with `spec.code`, created or brought up to the reference; 1 if written."""
    wanted = spec.fields(parent_id)
    service = ServiceType.objects.filter(code=spec.code).first()
    if service is None:
        service = ServiceType(code=spec.code, **wanted)
        service.full_clean()
        service.save()
        return service, 1
    changed = [name for name, value in wanted.items() if getattr(service, name) != value]
    if not changed:
        return service, 0
    for name in changed:
        setattr(service, name, wanted[name])
    service.full_clean()
    service.save(update_fields=[name.removesuffix("_id") for name in changed] + ["updated_at"])
    return service, 1


def _upsert_document(
    service: ServiceType, spec: DocumentSpec, stored: dict[str, DocumentRequirement]
) -> int:
    """Create or update one checklist line, matched by service and title; 1 if written."""
    wanted = {"is_mandatory": spec.is_mandatory, "note": spec.note, "sort_order": spec.sort_order}
    document = stored.get(spec.title)
    if document is None:
        document = DocumentRequirement(service_type=service, title=spec.title, **wanted)
    elif all(getattr(document, name) == value for name, value in wanted.items()):
        return 0
    else:
        for name, value in wanted.items():
            setattr(document, name, value)
    document.full_clean()
    document.save()
    return 1


def _upsert_documents(service: ServiceType, specs: tuple[DocumentSpec, ...]) -> int:
    stored = {d.title: d for d in service.documents.all()}
    return sum(_upsert_document(service, spec, stored) for spec in specs)


def load_reference_catalog() -> int:
    """Upsert the reference catalog; returns how many rows were created or changed.

    A second run returns 0. Rows an administrator added (services, checklist lines) are
    left alone.
    """
    written = 0
    ids: dict[str, int] = {}
    with transaction.atomic():
        for spec in reference_services():
            parent_id = ids[spec.parent] if spec.parent else None
            service, count = _upsert_service(spec, parent_id)
            ids[spec.code] = service.pk
            written += count
            written += _upsert_documents(service, spec.documents)
        written += load_response_conditions()
    return written


def load_response_conditions() -> int:
    """The reference conditions of inquiry answers, created when missing; the city edits
    the list afterwards (its texts, which services, on or off) and a reload keeps that."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    known = set(ResponseCondition.objects.values_list("code", flat=True))
    created = 0
    for position, raw in enumerate(data.get("response_conditions", []), start=1):
        if raw["code"] in known:
            continue
        condition = ResponseCondition(code=raw["code"], text=raw["text"], sort_order=position)
        condition.full_clean()
        condition.save()
        created += 1
    return created
