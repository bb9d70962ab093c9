"""Admin URLs of the errata app, mounted under /admin/errata/ by wagtail_hooks."""

from django.urls import path

from . import views

app_name = "errata"

urlpatterns = [
    path("", views.ReportListView.as_view(), name="reports"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="report"),
]
