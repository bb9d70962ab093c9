"""Admin URLs of the learners app, mounted under /admin/learners/ by wagtail_hooks."""

from django.urls import path

from . import views

app_name = "learners"

urlpatterns = [
    path("enrol/", views.EnrolStartView.as_view(), name="enrol"),
    path("enrol/search/", views.SearchView.as_view(), name="search"),
    path("enrol/new/", views.CreateView.as_view(), name="create"),
    path("<int:pk>/", views.PreviewView.as_view(), name="preview"),
    path("<int:pk>/update/", views.UpdateView.as_view(), name="update"),
    path("<int:pk>/enrol/", views.EnrolView.as_view(), name="enrol_existing"),
    path("enrolments/<int:pk>/added/", views.EnrolmentAddedView.as_view(), name="enrolment_added"),
    path(
        "enrolments/<int:pk>/status/",
        views.EnrolmentStatusView.as_view(),
        name="enrolment_status",
    ),
    path("<int:pk>/transfer/", views.TransferRequestView.as_view(), name="transfer_request"),
    path("transfers/", views.TransferListView.as_view(), name="transfers"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer"),
    path("merge/", views.MergeView.as_view(), name="merge"),
    path("duplicates/", views.DuplicatesView.as_view(), name="duplicates"),
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
]
