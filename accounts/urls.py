"""Admin URLs of the accounts app, mounted under /admin/ by wagtail_hooks."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.TwoFactorView.as_view(), name="two_factor"),
    path("two-factor/setup/", views.SetupView.as_view(), name="setup"),
    path("two-factor/verify/", views.VerifyView.as_view(), name="verify"),
    path("two-factor/recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
    path("two-factor/disable/", views.DisableView.as_view(), name="disable"),
    path("sign-in/lockouts/", views.LockoutListView.as_view(), name="lockouts"),
    path("sign-in/second-factors/", views.SecondFactorListView.as_view(), name="second_factors"),
]
