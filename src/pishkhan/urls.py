from django.contrib import admin
from django.urls import include, path

from pishkhan.payments.gateways import fake_bank_enabled

admin.site.site_header = "پیشخوان — مدیریت سامانه"
admin.site.site_title = "پیشخوان"
admin.site.index_title = "اطلاعات پایه"

urlpatterns = [
    path("", include("pishkhan.portal.urls")),
    path("accounts/", include("pishkhan.accounts.urls")),
    path("cases/", include("pishkhan.cases.urls")),
    path("permits/", include("pishkhan.permits.urls")),
    path("", include("pishkhan.documents.views")),
    path("bills/", include("pishkhan.billing.urls")),
    path("excavation/", include("pishkhan.excavation.urls")),
    path("payments/", include("pishkhan.payments.urls")),
    path("admin/", admin.site.urls),
]
if fake_bank_enabled():
    urlpatterns.append(path("fake-bank/", include("pishkhan.fakebank.urls")))
