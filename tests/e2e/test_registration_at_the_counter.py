"""The counter's most frequent job, counted: the technical manager registers a known
applicant on a known parcel, from the cartable to the printed receipt, in at most 3 page
loads and 10 interactions (docs/performance.md, «Registration at the counter»).

A page load is a navigation of the main frame (an htmx request is not one); an
interaction is one fill, check or click the test performs. They are counts, not times."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Frame, Locator, Page, expect

from pishkhan.accounts.models import Citizen
from pishkhan.cases.models import Case
from pishkhan.core.digits import to_persian_digits
from pishkhan.offices.roles import Role
from pishkhan.testing.browser import DESKTOP, PHONE, check_page, sign_in_as
from pishkhan.testing.personas import INQUIRY_DOCUMENTS, build_city

MAX_PAGE_LOADS = 3
MAX_INTERACTIONS = 10


@dataclass
class Hands:
    """The person at the counter: every fill, check and click goes through here."""

    done: list[str] = field(default_factory=list)

    def fill(self, target: Locator, value: str) -> None:
        target.fill(value)
        self.done.append(f"fill {value}")

    def check(self, target: Locator) -> None:
        target.check()
        self.done.append("check")

    def click(self, target: Locator) -> None:
        target.click()
        self.done.append("click")


@pytest.mark.e2e
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_known_applicant_on_a_known_parcel_takes_three_loads_and_nine_interactions(
    live_server: object, transactional_db: None, page: Page, viewport: dict[str, int]
) -> None:
    # given an office offering three services, a citizen on file and a parcel on the map
    world = build_city()
    citizen, parcel = world.citizen, world.a.parcel
    page.set_viewport_size(viewport)
    sign_in_as(page, live_server, world.a[Role.TECHNICAL_MANAGER])
    page.goto(f"{live_server}/cases/cartable/")
    expect(page.get_by_role("heading", name="کارتابل مسئول فنی")).to_be_visible()
    loads: list[str] = []

    def count(frame: Frame) -> None:
        if frame == page.main_frame:
            loads.append(frame.url)

    page.on("framenavigated", count)
    hands = Hands()

    # when the technical manager registers the notary's letter from the cartable
    hands.click(page.get_by_role("link", name="ثبت پرونده", exact=True))
    hands.click(page.get_by_role("link", name="ثبت «استعلام دفترخانه (نقل و انتقال ملک)»"))
    form = page.locator("form.case-new")
    hands.fill(form.get_by_label("کد ملی متقاضی"), to_persian_digits(citizen.national_id))
    hands.fill(form.get_by_label("کد نوسازی"), parcel.renewal_code)
    hands.fill(form.get_by_label("شماره دفترخانه"), "۱۱۲")
    hands.fill(form.get_by_label("شماره نامه"), "۱۴۰۵/۴۵۲۱")
    hands.fill(form.get_by_label("تاریخ نامه"), "۱۴۰۲/۰۱/۰۲")
    hands.check(form.get_by_label("همه مدارک بالا دیده و بررسی شد"))
    hands.click(form.get_by_role("button", name="ثبت و چاپ رسید"))

    # then the receipt is on the screen, for that citizen and that parcel
    case = Case.objects.get()
    code = to_persian_digits(case.tracking_code)
    expect(page.get_by_role("heading", name="رسید پذیرش درخواست")).to_be_visible()
    expect(page.locator(".receipt-code")).to_contain_text(code)
    expect(page.get_by_text(f"پرونده با کد رهگیری {code} ثبت شد.")).to_be_visible()
    assert (case.applicant_id, case.parcel_id) == (citizen.pk, parcel.pk)
    assert Citizen.objects.count() == 2  # the city's two: nobody registered again
    assert sorted(case.documents_checked) == sorted(INQUIRY_DOCUMENTS)
    assert case.data["letter_number"] == "1405/4521"
    check_page(page, "the receipt after registering")

    # and it took three page loads and nine interactions
    assert len(loads) <= MAX_PAGE_LOADS, loads
    assert len(hands.done) <= MAX_INTERACTIONS, hands.done
    print(f"registration at the counter: {len(loads)} page loads, {len(hands.done)} interactions")
    assert (len(loads), len(hands.done)) == (3, 9), (loads, hands.done)
