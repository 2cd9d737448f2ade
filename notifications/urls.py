from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path(
        "<int:pk>/letta/", views.NotificationMarkReadView.as_view(), name="notification_mark_read"
    ),
    path(
        "tutte-lette/",
        views.NotificationMarkAllReadView.as_view(),
        name="notification_mark_all_read",
    ),
]
