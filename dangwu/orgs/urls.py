from django.urls import path

from dangwu.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/terms/new/", views.term_start, name="term_start"),
    path("<int:pk>/posts/new/", views.post_appoint, name="post_appoint"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
]
