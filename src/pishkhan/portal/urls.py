from django.urls import path

from pishkhan.portal import views

# Not namespaced: "home" is the name every page links to and LOGIN_REDIRECT_URL names.
urlpatterns = [
    path("", views.home, name="home"),
]
