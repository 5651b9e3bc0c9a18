from django.urls import path

from dangwu.members import views
from dangwu.members.urls_roster import urlpatterns as roster_urlpatterns

app_name = "members"
urlpatterns: list = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/status/", views.person_status, name="status"),
    path("<int:pk>/group/", views.person_group, name="group"),
    path("<int:pk>/reveal-id/", views.reveal_id, name="reveal_id"),
    path("<int:pk>/history/", views.person_history, name="history"),
    path("<int:pk>/transfer/", views.transfer_send, name="transfer_send"),
    path("<int:pk>/transfer-out/", views.transfer_out, name="transfer_out"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/in/", views.transfer_in, name="transfer_in"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer_receive"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("transfers/<int:pk>/letter/", views.letter, name="letter"),
    *roster_urlpatterns,
]
