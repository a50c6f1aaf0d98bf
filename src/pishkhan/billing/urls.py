from django.urls import path

from pishkhan.billing import views

app_name = "billing"

urlpatterns = [
    path("<int:pk>/", views.bill_page, name="bill"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("case/<int:pk>/", views.case_bills, name="case_bills"),
]
