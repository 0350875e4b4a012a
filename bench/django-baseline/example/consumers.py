import json

from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "users"


def _dumps(data):
    return json.dumps(data, separators=(",", ":"))


class UserConsumer(AsyncWebsocketConsumer):
    """
    Channels 4 port of the tutorial's ws_connect / ws_disconnect consumers:
    connect => join "users" and broadcast "online";
    disconnect => broadcast "offline" and leave "users".
    """

    joined = False

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            # Close before accept => the handshake is rejected (HTTP 403).
            await self.close()
            return
        self.username = user.get_username()
        await self.accept()
        await self.channel_layer.group_add(GROUP, self.channel_name)
        self.joined = True
        await self.channel_layer.group_send(
            GROUP,
            {"type": "presence", "username": self.username, "is_logged_in": True},
        )

    async def disconnect(self, close_code):
        if not self.joined:
            return
        await self.channel_layer.group_send(
            GROUP,
            {"type": "presence", "username": self.username, "is_logged_in": False},
        )
        await self.channel_layer.group_discard(GROUP, self.channel_name)
        self.joined = False

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None:
            return
        try:
            data = json.loads(text_data)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("type") == "ping":
            await self.send(text_data=_dumps({"type": "pong"}))

    # Group message handlers ("type" selects the method).

    async def presence(self, event):
        await self.send(
            text_data=_dumps(
                {
                    "type": "presence",
                    "username": event["username"],
                    "is_logged_in": event["is_logged_in"],
                }
            )
        )

    async def user_added(self, event):
        await self.send(
            text_data=_dumps({"type": "user_added", "username": event["username"]})
        )
