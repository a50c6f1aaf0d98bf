from django.urls import path

from pishkhan.fakebank import views

app_name = "fakebank"

urlpatterns = [
    path("pay/<str:token>/", views.pay, name="pay"),
    path("otp/<str:token>/", views.otp, name="otp"),
    path("cancel/<str:token>/", views.cancel, name="cancel"),
    path("timeout/<str:token>/", views.timeout, name="timeout"),
]
