from django.contrib import admin
from django.urls import include, path

from dangwu.api.api import api

urlpatterns = [
    path("", include("dangwu.core.urls")),
    path("orgs/", include("dangwu.orgs.urls")),
    path("members/", include("dangwu.members.urls")),
    path("dues/", include("dangwu.dues.urls")),
    path("development/", include("dangwu.development.urls")),
    path("meetings/", include("dangwu.meetings.urls")),
    path("group/", include("dangwu.groupwork.urls")),
    path("notifications/", include("dangwu.notifications.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
