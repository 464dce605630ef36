"""Server-side tweak of the classroom server (Voilà), named by the installed configuration
(``voila/voila.json`` and ``voila/jupyter_server_config.d/cmv-classroom.json``, installed with the package).

:class:`NoDelayConnection` turns Nagle's algorithm off on each kernel websocket. Without it a widget
round trip (input changed -> result shown) waited ~40 ms for the browser's delayed ACK: the kernel's
reply comes as several small frames and Nagle holds the later ones back (tornado leaves this to the
application; jupyter_server and Voilà 0.5.13 do not do it). Measured: median 52.6 -> 10.8 ms.
Not shipped to the book's in-browser runtime (it needs jupyter_server).
"""
from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """The standard kernel websocket connection with TCP_NODELAY set on the socket."""

    def connect(self):  # type: ignore[no-untyped-def]
        self.websocket_handler.set_nodelay(True)
        return super().connect()
