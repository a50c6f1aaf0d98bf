"""One meaning of "in force on a date" for everything with validity dates.

A row is in force on `on` when it started on or before `on` and has not ended before it
(an open end never ends). Role assignments, contracts, licences and tariffs all ask
this, through ``in_force(on)`` on their querysets or ``is_in_force(on)`` on a row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


def in_force_q(on: dt.date, start: str = "starts_on", end: str = "ends_on", prefix: str = "") -> Q:
    """The condition "in force on `on`" over the two date fields (optionally through a
    relation: ``prefix="office__"``)."""
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


def dates_in_force(on: dt.date, starts: dt.date | None, ends: dt.date | None) -> bool:
    return starts is not None and starts <= on and (ends is None or on <= ends)


class InForceQuerySet(models.QuerySet[M]):
    """A queryset whose rows have validity dates named by ``validity_fields``."""

    validity_fields: tuple[str, str] = ("starts_on", "ends_on")

    def in_force(self, on: dt.date | None = None) -> InForceQuerySet[M]:
        start, end = self.validity_fields
        return self.filter(in_force_q(on or timezone.localdate(), start, end))


class InForce(models.Model):
    """The row-level twin of ``InForceQuerySet.in_force``."""

    validity_fields: tuple[str, str] = ("starts_on", "ends_on")

    class Meta:
        abstract = True

    def is_in_force(self, on: dt.date | None = None) -> bool:
        start, end = self.validity_fields
        on = on or timezone.localdate()
        value: Any = getattr(self, start)
        return dates_in_force(on, value, getattr(self, end))
