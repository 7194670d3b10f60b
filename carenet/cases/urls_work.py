"""Working a case: the list, my action list, the case page, moves, plan, break-glass, limits."""

from django.urls import URLPattern, URLResolver, path

from carenet.cases import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.case_list, name="list"),
    path("mine/", views.actions, name="actions"),
    path("download/<str:fmt>/", views.case_download, name="download"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/move/", views.move, name="move"),
    path("<id:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<id:pk>/tasks/", views.task_add, name="task_add"),
    path("tasks/<id:pk>/done/", views.task_done, name="task_done"),
    path("<id:pk>/follow-ups/", views.follow_up_add, name="follow_up_add"),
    path("<id:pk>/volunteers/", views.volunteer_assign, name="volunteer_assign"),
    path(
        "<id:pk>/volunteers/<id:volunteer_pk>/remove/",
        views.volunteer_remove,
        name="volunteer_remove",
    ),
    path("<id:pk>/open/", views.break_glass, name="break_glass"),
    path("break-glass/", views.break_glass_log, name="break_glass_log"),
    path("limits/<str:code>/", views.limits, name="limits"),
]
