"""The group leader's pages, mounted at /group/."""

from django.urls import path

from dangwu.groupwork import views

app_name = "groupwork"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:group_id>/", views.workspace, name="workspace"),
    # Tasks.
    path("<int:group_id>/tasks/", views.task_list, name="tasks"),
    path("<int:group_id>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("tasks/<int:task_id>/check/", views.task_check, name="task_check"),
    # Notes on members (the leader and the branch committee only).
    path("<int:group_id>/members/<int:person_id>/notes/", views.member_notes, name="notes"),
    # Opinions of the masses.
    path("<int:group_id>/opinions/", views.opinion_list, name="opinions"),
    path("<int:group_id>/opinions/new/", views.opinion_create, name="opinion_create"),
    path("opinions/<int:pk>/report/", views.opinion_report, name="opinion_report"),
    path("opinions/<int:pk>/resolve/", views.opinion_resolve, name="opinion_resolve"),
    # Period summaries.
    path("<int:group_id>/summaries/", views.summary_list, name="summaries"),
    path("summaries/<int:pk>/", views.summary_detail, name="summary"),
]
