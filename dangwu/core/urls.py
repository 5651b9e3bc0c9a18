from django.contrib.auth import views as auth_views
from django.urls import path

from dangwu.core import views, views_calendar

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("workdays/", views_calendar.workdays_list, name="workdays"),
    path("workdays/<int:year>/", views_calendar.workdays_year, name="workdays_year"),
]
