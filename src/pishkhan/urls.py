from django.contrib import admin
from django.urls import include, path

from pishkhan.accounts import views as account_views

admin.site.site_header = "پیشخوان — مدیریت سامانه"
admin.site.site_title = "پیشخوان"
admin.site.index_title = "اطلاعات پایه"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("pishkhan.accounts.urls")),
    path("cases/", include("pishkhan.cases.urls")),
    path("admin/", admin.site.urls),
]
