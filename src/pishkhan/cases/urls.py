from django.urls import path
from django.views.generic import RedirectView

from pishkhan.cases import views_cartable, views_case

app_name = "cases"

urlpatterns = [
    # /cases/ is where the README and people's bookmarks point: the cartable.
    path("", RedirectView.as_view(pattern_name="cases:cartable", query_string=True), name="index"),
    *views_cartable.urlpatterns,
    *views_case.urlpatterns,
]
