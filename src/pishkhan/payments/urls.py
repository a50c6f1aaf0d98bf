from django.urls import path

from pishkhan.payments import views, views_revenue

app_name = "payments"

urlpatterns = [
    path("bill/<int:pk>/online/", views.start, name="start"),
    path("bill/<int:pk>/card/", views.card, name="card"),
    path("callback/", views.callback, name="callback"),
    path("<int:pk>/", views.payment_page, name="payment"),
    path("settlement/", views.settlement, name="settlement"),
    path("day/", views.cashier_day, name="day"),
    path("revenue/", views_revenue.revenue, name="revenue"),
]
