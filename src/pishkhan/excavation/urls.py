from django.urls import path

from pishkhan.excavation import views

app_name = "excavation"

urlpatterns = [
    path("permits/<int:pk>/", views.permit_page, name="permit"),
    path("overdue/", views.overdue_restorations, name="overdue"),
]
