"""Workflow definitions (data, versioned), cases, their events and visit reports, holidays."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from pishkhan.geo.models import LandUse

# Acting roles that are not staff roles: the applicant (citizen) and the system itself.
APPLICANT = "applicant"
SYSTEM = "system"


class WorkflowDefinition(models.Model):
    """One version of a service's workflow. Versions are never edited: a change is a new
    version, and every case stays on the version it started on."""

    service_type = models.ForeignKey(
        "catalog.ServiceType",
        verbose_name="نوع خدمت",
        on_delete=models.PROTECT,
        related_name="workflow_definitions",
    )
    version = models.PositiveIntegerField("نسخه", validators=[MinValueValidator(1)])
    title = models.CharField("عنوان", max_length=160, blank=True)
    is_active = models.BooleanField("فعال", default=True)
    open_roles = models.JSONField("نقش‌های مجاز برای ثبت", default=list)
    sla_hours = models.PositiveIntegerField("مهلت کل (ساعت کاری)", null=True, blank=True)
    documents = models.JSONField("مدارک (کد ← عنوان)", default=dict)
    settings = models.JSONField("تنظیمات", default=dict, blank=True)
    fields = models.JSONField(
        "مشخصات درخواست (فیلدهای اعلام‌شده)",
        default=list,
        blank=True,
        help_text="فیلدهایی که هنگام ثبت پرسیده می‌شود؛ نگاه کنید به cases/fields.py.",
    )
    loaded_from = models.CharField("بارگذاری از", max_length=300, blank=True)
    checksum = models.CharField("چکیده", max_length=64)
    created_at = models.DateTimeField("زمان ایجاد", auto_now_add=True)

    class Meta:
        verbose_name = "تعریف گردش کار"
        verbose_name_plural = "تعریف‌های گردش کار"
        ordering = ["service_type", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "version"], name="workflow_definition_version"
            ),
            models.UniqueConstraint(
                fields=["service_type"],
                condition=Q(is_active=True),
                name="workflow_definition_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.service_type_id} — نسخه {self.version}"


class WorkflowState(models.Model):
    definition = models.ForeignKey(
        WorkflowDefinition, verbose_name="تعریف", on_delete=models.CASCADE, related_name="states"
    )
    code = models.CharField("کد", max_length=40)
    label = models.CharField("عنوان", max_length=120)
    acting_role = models.CharField("نقش اقدام‌کننده", max_length=20, blank=True)
    sla_hours = models.PositiveIntegerField("مهلت (ساعت کاری)", null=True, blank=True)
    documents_required = models.JSONField("مدارک لازم", default=list, blank=True)
    data_editable = models.BooleanField("اطلاعات قابل ویرایش", default=False)
    is_initial = models.BooleanField("وضعیت آغازین", default=False)
    is_terminal = models.BooleanField("وضعیت پایانی", default=False)
    pauses_sla = models.BooleanField("توقف مهلت (در انتظار متقاضی)", default=False)
    position = models.PositiveSmallIntegerField("ترتیب", default=0)

    class Meta:
        verbose_name = "وضعیت گردش کار"
        verbose_name_plural = "وضعیت‌های گردش کار"
        ordering = ["definition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="workflow_state_code")
        ]

    def __str__(self) -> str:
        return self.label


class WorkflowAction(models.Model):
    definition = models.ForeignKey(
        WorkflowDefinition, verbose_name="تعریف", on_delete=models.CASCADE, related_name="actions"
    )
    code = models.CharField("کد", max_length=40)
    label = models.CharField("عنوان", max_length=120)
    from_state = models.ForeignKey(
        WorkflowState, verbose_name="از وضعیت", on_delete=models.CASCADE, related_name="+"
    )
    to_state = models.ForeignKey(
        WorkflowState, verbose_name="به وضعیت", on_delete=models.CASCADE, related_name="+"
    )
    roles = models.JSONField("نقش‌های مجاز", default=list)
    guards = models.JSONField("شرط‌ها", default=list, blank=True)
    reason_required = models.BooleanField("ذکر علت لازم است", default=False)
    send_back = models.BooleanField(
        "بازگرداندن پرونده",
        default=False,
        help_text="پرونده را با ذکر علت به مرحله‌ای پیشین و به کسی که آن را در دست داشت برمی‌گرداند.",
    )
    destructive = models.BooleanField(
        "اقدام بازگشت‌ناپذیر",
        default=False,
        help_text="لغو یا رد: در صفحه جدا و با رنگ هشدار نشان داده می‌شود و تأیید می‌خواهد.",
    )
    effects = models.JSONField(
        "پیامدها",
        default=list,
        blank=True,
        help_text="نام پیامدهای ثبت‌شده که پس از این اقدام در همان تراکنش اجرا می‌شوند.",
    )
    position = models.PositiveSmallIntegerField("ترتیب", default=0)

    class Meta:
        verbose_name = "اقدام گردش کار"
        verbose_name_plural = "اقدام‌های گردش کار"
        ordering = ["definition", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "from_state", "code"], name="workflow_action_code"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_destructive(self) -> bool:
        """Shown apart in a danger style and taken only once confirmed: a cancellation
        or rejection the definition marks ``destructive``, and every send-back."""
        return self.destructive or self.send_back


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "حضوری"
    ONLINE = "online", "غیرحضوری"


OPEN = Q(closed_at__isnull=True)


class CaseQuerySet(models.QuerySet["Case"]):
    """The questions everyone asks of cases, answered once (see cases/sla.py)."""

    def open(self) -> CaseQuerySet:
        return self.filter(OPEN)

    def overdue(self, now: dt.datetime) -> CaseQuerySet:
        """Open, not waiting on the applicant, past the state's or the overall deadline."""
        from pishkhan.cases.sla import overdue_q

        return self.filter(overdue_q(now))

    def nearing(self, now: dt.datetime) -> CaseQuerySet:
        """Open, running, not overdue, within a quarter of a deadline (two queries: the
        workflow states and the calendar)."""
        from pishkhan.cases.sla import StateMap, nearing_q, page_calendar

        return self.filter(nearing_q(now, StateMap.load(), page_calendar(now)))

    def stalled(self, now: dt.datetime) -> CaseQuerySet:
        """Open, and nothing moved or held it for two working days (one query for the
        calendar)."""
        from pishkhan.cases.sla import page_calendar, stalled_q

        return self.filter(stalled_q(now, page_calendar(now)))


class Case(models.Model):
    """One request and all its history. The row carries what cartables filter on."""

    tracking_code = models.CharField("کد رهگیری", max_length=12, unique=True)
    service_type = models.ForeignKey(
        "catalog.ServiceType", verbose_name="نوع خدمت", on_delete=models.PROTECT, related_name="+"
    )
    definition = models.ForeignKey(
        WorkflowDefinition,
        verbose_name="نسخه گردش کار",
        on_delete=models.PROTECT,
        related_name="cases",
    )
    applicant = models.ForeignKey(
        "accounts.Citizen",
        verbose_name="متقاضی",
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,  # case_applicant_opened (applicant, -opened_at) serves it
    )
    parcel = models.ForeignKey(
        "geo.Parcel",
        verbose_name="ملک",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    office = models.ForeignKey(
        "offices.Office", verbose_name="دفتر", on_delete=models.PROTECT, related_name="cases"
    )
    district = models.ForeignKey(
        "geo.District", verbose_name="منطقه", on_delete=models.PROTECT, related_name="cases"
    )
    channel = models.CharField("شیوه ثبت", max_length=10, choices=Channel.choices)
    state = models.CharField("وضعیت", max_length=40)
    acting_role = models.CharField("نقش اقدام‌کننده", max_length=20, blank=True)
    state_entered_at = models.DateTimeField("زمان ورود به وضعیت")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="در دست",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_at = models.DateTimeField("مهلت این مرحله", null=True, blank=True)
    overall_due_at = models.DateTimeField("مهلت کل", null=True, blank=True)
    sla_paused_at = models.DateTimeField("توقف مهلت از", null=True, blank=True)
    paused_from_state = models.CharField("وضعیت پیش از توقف", max_length=40, blank=True)
    pause_reason = models.CharField("علت توقف مهلت", max_length=500, blank=True)
    documents_checked = models.JSONField("مدارک بررسی‌شده", default=list, blank=True)
    data = models.JSONField(
        "مشخصات درخواست",
        default=dict,
        blank=True,
        help_text="مقادیر فیلدهای اعلام‌شده در نسخه گردش کار پرونده (نرمال‌شده).",
    )
    version = models.PositiveIntegerField("نسخه", default=1)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ثبت‌کننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField("زمان ثبت", default=timezone.now)
    closed_at = models.DateTimeField("زمان بسته شدن", null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="تهیه‌کننده پاسخ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="تأییدکننده پاسخ",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set by a send-back (an action the definition marks "send_back"), cleared by the next
    # work on the case: a workflow action, a correction, a visit report (docs/workflow.md).
    returned_at = models.DateTimeField("زمان بازگشت", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="بازگرداننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # read only with its case; nobody looks cases up by it
    )
    returned_reason = models.TextField("علت بازگشت", blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "پرونده"
        verbose_name_plural = "پرونده‌ها"
        ordering = ["-opened_at"]
        indexes = [
            models.Index(
                fields=["office", "acting_role", "state"], condition=OPEN, name="case_open_office"
            ),
            models.Index(
                fields=["district", "acting_role"], condition=OPEN, name="case_open_district"
            ),
            models.Index(fields=["assignee", "due_at"], condition=OPEN, name="case_open_assignee"),
            models.Index(fields=["applicant", "-opened_at"], name="case_applicant_opened"),
            # search by the notary's or bank's letter number (cases/search.py)
            models.Index(KeyTransform("letter_number", "data"), name="case_letter_number"),
            # the cartables' "returned" tab: few rows, so small partial indexes
            models.Index(
                fields=["office", "acting_role"],
                condition=OPEN & Q(returned_at__isnull=False),
                name="case_returned_office",
            ),
            models.Index(
                fields=["district", "acting_role"],
                condition=OPEN & Q(returned_at__isnull=False),
                name="case_returned_district",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="case_version_positive"),
            models.CheckConstraint(
                condition=Q(prepared_by__isnull=True)
                | Q(approved_by__isnull=True)
                | ~Q(prepared_by=models.F("approved_by")),
                name="case_maker_checker",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CaseEvent(models.Model):
    """An append-only record of one change of a case. `seq` equals the case version the
    change produced, so the events and the version agree one-to-one."""

    case = models.ForeignKey(
        Case,
        verbose_name="پرونده",
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # the unique (case, seq) index serves it
    )
    seq = models.PositiveIntegerField("شماره")
    action = models.CharField("اقدام", max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="اقدام‌کننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField("نقش اقدام‌کننده", max_length=20)
    from_state = models.CharField("از وضعیت", max_length=40, blank=True)
    to_state = models.CharField("به وضعیت", max_length=40)
    reason = models.TextField("علت", blank=True)
    payload = models.JSONField("جزئیات", default=dict, blank=True)
    created_at = models.DateTimeField("زمان", default=timezone.now)

    class Meta:
        verbose_name = "رویداد پرونده"
        verbose_name_plural = "رویدادهای پرونده"
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"


class VisitReport(models.Model):
    """What an inspector saw on site. Later instant responses read recent reports of the
    same parcel, so the parcel is kept on the report too."""

    case = models.ForeignKey(
        Case, verbose_name="پرونده", on_delete=models.PROTECT, related_name="visit_reports"
    )
    parcel = models.ForeignKey(
        "geo.Parcel",
        verbose_name="ملک",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_reports",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="کارشناس بازدید", on_delete=models.PROTECT
    )
    visited_at = models.DateTimeField("زمان بازدید")
    observed_land_use = models.CharField("کاربری مشاهده‌شده", max_length=20)
    built_area = models.DecimalField(
        "مساحت ساخته‌شده (مترمربع)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    floors = models.PositiveSmallIntegerField("تعداد طبقات")
    violations_observed = models.JSONField("تخلفات مشاهده‌شده", default=list, blank=True)
    photo_refs = models.JSONField("عکس‌ها", default=list, blank=True)
    notes = models.TextField("توضیحات", blank=True)
    recorded_at = models.DateTimeField("زمان ثبت", default=timezone.now)

    class Meta:
        verbose_name = "گزارش بازدید"
        verbose_name_plural = "گزارش‌های بازدید"
        ordering = ["-visited_at"]
        indexes = [
            models.Index(fields=["parcel", "-visited_at"], name="visit_parcel_recent"),
            models.Index(fields=["case", "-recorded_at"], name="visit_case_recent"),
        ]

    def __str__(self) -> str:
        return f"بازدید پرونده {self.case_id}"

    @property
    def photos_count(self) -> int:
        return len(self.photo_refs)


class PlanReview(models.Model):
    """What the plan reviewer found in the detailed plan for the case's parcel: zone,
    permitted uses, street widening and setbacks, restrictions, and their opinion."""

    case = models.ForeignKey(
        Case, verbose_name="پرونده", on_delete=models.PROTECT, related_name="plan_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="کارشناس طرح تفصیلی", on_delete=models.PROTECT
    )
    zone = models.CharField("پهنه", max_length=20)
    sub_zone = models.CharField("زیرپهنه", max_length=20, blank=True)
    permitted_uses = models.JSONField("کاربری‌های مجاز", default=list)
    widening_m = models.DecimalField(
        "عرض گذربندی (متر)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    setback_m = models.DecimalField(
        "عقب‌نشینی (متر)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    restrictions = models.JSONField("محدودیت‌های طرح", default=list, blank=True)
    opinion = models.TextField("نظر کارشناس")
    recorded_at = models.DateTimeField("زمان ثبت", default=timezone.now)

    class Meta:
        verbose_name = "بررسی طرح تفصیلی"
        verbose_name_plural = "بررسی‌های طرح تفصیلی"
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["case", "-recorded_at"], name="plan_review_case_recent")]

    def __str__(self) -> str:
        return f"بررسی طرح پرونده {self.case_id}"

    @property
    def permitted_use_labels(self) -> str:
        labels = dict(LandUse.choices)
        return "، ".join(str(labels.get(u, u)) for u in self.permitted_uses)


class ResponseResult(models.TextChoices):
    NO_OBJECTION = "no_objection", "بلامانع"
    CONDITIONAL = "conditional", "بلامانع مشروط"
    OBJECTION = "objection", "دارای مانع"


class ResponseBasis(models.TextChoices):
    REVIEW = "review", "بازدید و بررسی همین پرونده"
    RECENT_VISIT = "recent_visit", "بازدید معتبر اخیر ملک"
    CERTIFICATE = "certificate", "آخرین گواهی ملک و اقرار مالک"


class InquiryResponse(models.Model):
    """The answer of an inquiry as data: drafted (and redrafted) until a second person
    approves it, then frozen. Its content is what a printed answer shows."""

    case = models.OneToOneField(
        Case, verbose_name="پرونده", on_delete=models.PROTECT, related_name="response"
    )
    result = models.CharField("نتیجه", max_length=20, choices=ResponseResult.choices)
    basis = models.CharField("مبنای پاسخ", max_length=20, choices=ResponseBasis.choices)
    conditions = models.JSONField("شرط‌ها", default=list, blank=True)
    debts = models.JSONField("بدهی‌های ملک", default=list, blank=True)
    debt_total = models.PositiveBigIntegerField("جمع بدهی (ریال)", default=0)
    plan = models.JSONField("وضعیت طرح تفصیلی", default=dict, blank=True)
    visit = models.JSONField("یافته‌های بازدید", default=dict, blank=True)
    certificate = models.JSONField("گواهی مبنا", default=dict, blank=True)
    declaration = models.TextField("اقرار مالک", blank=True)
    notes = models.TextField("توضیحات", blank=True)
    valid_for = models.CharField("معتبر برای", max_length=300, blank=True)
    not_valid_for = models.CharField("معتبر نیست برای", max_length=300, blank=True)
    valid_days = models.PositiveSmallIntegerField("مدت اعتبار (روز)", default=90)
    revision = models.PositiveIntegerField("ویرایش", default=1)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="نویسنده پیش‌نویس",
        on_delete=models.PROTECT,
        related_name="+",
    )
    drafted_at = models.DateTimeField("زمان پیش‌نویس")
    issued_at = models.DateTimeField("زمان صدور", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="تأییدکننده",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_until = models.DateField("معتبر تا", null=True, blank=True)
    content_hash = models.CharField("چکیده محتوا", max_length=64, blank=True)

    class Meta:
        verbose_name = "پاسخ استعلام"
        verbose_name_plural = "پاسخ‌های استعلام"
        constraints = [
            models.CheckConstraint(
                condition=Q(issued_at__isnull=True) | Q(issued_by__isnull=False),
                name="response_issued_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"پاسخ پرونده {self.case_id}"

    @property
    def is_issued(self) -> bool:
        return self.issued_at is not None


class Holiday(models.Model):
    """An official holiday: no working hour counts on it."""

    date = models.DateField("تاریخ", unique=True)
    title = models.CharField("عنوان", max_length=120)

    class Meta:
        verbose_name = "تعطیل رسمی"
        verbose_name_plural = "تعطیلات رسمی"
        ordering = ["date"]

    def __str__(self) -> str:
        return self.title


class YearSequence(models.Model):
    """The last number handed out in a Jalali year (cases.tracking.next_sequence bumps
    it); a concrete counter names what it numbers."""

    year = models.PositiveSmallIntegerField("سال شمسی", primary_key=True)
    last = models.PositiveIntegerField("آخرین شماره", default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class TrackingSequence(YearSequence):
    """The last tracking number handed out in a Jalali year."""

    class Meta:
        verbose_name = "شمارنده کد رهگیری"
        verbose_name_plural = "شمارنده‌های کد رهگیری"


class AttachmentKind(models.TextChoices):
    DOCUMENT_SCAN = "document_scan", "اسکن مدرک"
    VISIT_PHOTO = "visit_photo", "عکس بازدید"


class CaseAttachment(models.Model):
    """A stored file (files.StoredFile) that belongs to a case: a scan of one document
    of its checklist, or a photo an inspector took on a visit. Where the photo was taken
    (its EXIF GPS position, dropped from the file itself) is kept here as data."""

    case = models.ForeignKey(
        Case,
        verbose_name="پرونده",
        on_delete=models.PROTECT,
        related_name="attachments",
        db_index=False,  # case_attachment_case (case, kind) serves it
    )
    file = models.OneToOneField(
        "files.StoredFile", verbose_name="پرونده بارگذاری‌شده", on_delete=models.PROTECT
    )
    kind = models.CharField("نوع", max_length=20, choices=AttachmentKind.choices)
    document_code = models.CharField("کد مدرک", max_length=60, blank=True)
    visit_report = models.ForeignKey(
        VisitReport,
        verbose_name="گزارش بازدید",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
    )
    latitude = models.DecimalField(
        "عرض جغرافیایی", max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        "طول جغرافیایی", max_digits=9, decimal_places=6, null=True, blank=True
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="پیوست‌کننده",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # read with its case only
    )
    attached_at = models.DateTimeField("زمان پیوست")

    class Meta:
        verbose_name = "پیوست پرونده"
        verbose_name_plural = "پیوست‌های پرونده"
        ordering = ["case", "attached_at", "pk"]
        indexes = [models.Index(fields=["case", "kind"], name="case_attachment_case")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="document_scan", visit_report__isnull=True) & ~Q(document_code="")
                | Q(kind="visit_photo", document_code=""),
                name="case_attachment_kind_fields",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False, kind="visit_photo"),
                name="case_attachment_position_of_photos",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} پرونده {self.case_id}"

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None
