from django.urls import path

from carenet.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("still-here/", views.still_here, name="still_here"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<id:pk>/", views.user_detail, name="user"),
    path("users/<id:pk>/roles/", views.user_role_add, name="user_role_add"),
    path(
        "users/<id:pk>/roles/<id:assignment>/remove/",
        views.user_role_remove,
        name="user_role_remove",
    ),
    path("users/<id:pk>/switch/", views.user_switch, name="user_switch"),
    path("users/<id:pk>/name/", views.user_name, name="user_name"),
    path("users/<id:pk>/password/", views.user_password, name="user_password"),
]
