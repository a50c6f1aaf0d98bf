from django.urls import path

from pishkhan.cases import views_answer, views_cartable, views_case, views_files, views_office

app_name = "cases"

urlpatterns = [
    # /cases/ is where the README and people's bookmarks point: the cartable.
    path("", views_cartable.index, name="index"),
    *views_cartable.urlpatterns,
    *views_case.urlpatterns,
    *views_office.urlpatterns,
    *views_answer.urlpatterns,
    *views_files.urlpatterns,
]
