# Owned by the roster import/export work: roster URL patterns, merged into members/urls.py.
from django.urls import path

from dangwu.members import views_roster

urlpatterns: list = [
    path("roster/import/", views_roster.roster_import, name="roster_import"),
    path("roster/template/", views_roster.roster_template, name="roster_template"),
    path("roster/export/", views_roster.roster_export, name="roster_export"),
]
