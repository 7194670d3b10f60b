"""Agencies, referrals, referral letters and welfare assistance. Each view declares its access."""

from django.urls import URLPattern, URLResolver, path

from carenet.cases import views_assistance, views_referrals

urlpatterns: list[URLPattern | URLResolver] = [
    # The agency directory.
    path("agencies/", views_referrals.agencies, name="agencies"),
    path("agencies/new/", views_referrals.agency_new, name="agency_new"),
    path("agencies/<id:pk>/edit/", views_referrals.agency_edit, name="agency_edit"),
    # Referrals: all of them in scope, counted; those of a case.
    path("referrals/", views_referrals.referral_list, name="referrals"),
    path("<id:pk>/refer/", views_referrals.referral_new, name="referral_new"),
    path("referrals/<id:pk>/move/", views_referrals.referral_move_view, name="referral_move"),
    path("referrals/<id:pk>/letter/", views_referrals.referral_letter, name="referral_letter"),
    # Welfare assistance.
    path("<id:pk>/assistance/", views_assistance.assistance_new, name="assistance_new"),
    path("assistance/<id:pk>/give/", views_assistance.assistance_give, name="assistance_give"),
    path(
        "assistance/<id:pk>/cancel/", views_assistance.assistance_cancel, name="assistance_cancel"
    ),
    path("assistance/<id:pk>/evidence/", views_assistance.evidence, name="evidence"),
]
