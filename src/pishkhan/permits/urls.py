from django.urls import path

from pishkhan.permits import views

app_name = "permits"

urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("case/<int:pk>/", views.case_permits, name="case_permits"),
    path("expiring/", views.expiring, name="expiring"),
]
