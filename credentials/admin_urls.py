"""URLs of the micro-credential staff views, mounted under /admin/credentials/ by wagtail_hooks.

The awardees-list import (roster_views) and the rest of the credentials admin (views) share the
`credentials` namespace.
"""

from django.urls import path

from . import roster_views, views

app_name = "credentials"
urlpatterns = [
    path("prepare/", roster_views.PrepareBatchView.as_view(), name="prepare"),
    path(
        "prepare/awardees-template.csv",
        roster_views.RosterTemplateView.as_view(),
        name="roster_template",
    ),
    path("prepare/<str:token>/", roster_views.PreviewBatchView.as_view(), name="prepare_preview"),
    path("", views.AchievementIndexView.as_view(), name="achievements"),
    path("achievements/add/", views.AchievementEditView.as_view(), name="achievement_add"),
    path("achievements/<int:pk>/", views.AchievementEditView.as_view(), name="achievement"),
    path("assessments/", views.AssessmentStartView.as_view(), name="assessments"),
    path("assessments/<int:learner>/<slug:slug>/", views.AssessmentView.as_view(), name="assess"),
    path("batches/", views.BatchIndexView.as_view(), name="batches"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch"),
    path("batches/<int:pk>/certificates.pdf", views.BatchPdfView.as_view(), name="batch_pdf"),
    path("awards/", views.AwardIndexView.as_view(), name="awards"),
    path("awards/<int:pk>/", views.AwardDetailView.as_view(), name="award"),
    path("awards/<int:pk>/certificate.pdf", views.AwardPdfView.as_view(), name="award_pdf"),
]
