"""URLs of the snapshot views, mounted under /admin/snapshots/ by wagtail_hooks."""

from django.urls import path

from . import views

app_name = "snapshots"
urlpatterns = [
    path("", views.SnapshotIndexView.as_view(), name="index"),
    path("upload/", views.UploadView.as_view(), name="upload"),
    path("consolidate/", views.ConsolidateView.as_view(), name="consolidate"),
    path("deadlines/", views.DeadlinesView.as_view(), name="deadlines"),
    path("templates/<str:form>.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/errors.xlsx", views.JobErrorsView.as_view(), name="job_errors"),
    path("<int:pk>/", views.SnapshotDetailView.as_view(), name="detail"),
    path("<int:pk>/registry/", views.RegistryReportView.as_view(), name="registry"),
    path("<int:pk>/export.xlsx", views.SnapshotExportView.as_view(), name="export"),
]
