from django.urls import path

from example.consumers import UserConsumer

websocket_urlpatterns = [
    path("users/", UserConsumer.as_asgi()),
]
