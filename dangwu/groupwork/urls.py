from django.urls import path

from dangwu.groupwork import views

app_name = "groupwork"
urlpatterns = [path("", views.home, name="home")]
