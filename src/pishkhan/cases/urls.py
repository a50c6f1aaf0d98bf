from pishkhan.cases import views_cartable, views_case

app_name = "cases"

urlpatterns = views_cartable.urlpatterns + views_case.urlpatterns
