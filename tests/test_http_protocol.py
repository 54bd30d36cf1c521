"""``--workers N`` connections get TCP_NODELAY (sousei_kg.http_protocol).

uvicorn binds the listening socket itself for several processes, without a protocol number, and
asyncio then leaves Nagle's algorithm on for the connections it accepts: every keep-alive answer
waited about 40 ms for the client's delayed ACK. The test binds a socket the same way and reads
the option on the accepted connection, with uvicorn's own protocol as the control.
"""

import asyncio
import socket

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from sousei_kg.http_protocol import NoDelayH11Protocol


async def _nodelay_of_accepted_connection(protocol: type[H11Protocol]) -> int:
    async def app(scope: object, receive: object, send: object) -> None:
        del scope, receive, send

    config = Config(app=app, log_level="warning")
    config.load()
    state = ServerState()
    made: list[H11Protocol] = []

    def factory() -> H11Protocol:
        made.append(protocol(config=config, server_state=state, app_state={}))
        return made[-1]

    listener = socket.socket(family=socket.AF_INET)  # as uvicorn's Config.bind_socket: proto 0
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    server = await asyncio.get_running_loop().create_server(factory, sock=listener)
    try:
        _reader, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(100):  # bounded: the connection is accepted within a few loop turns
            if made:
                break
            await asyncio.sleep(0.01)
        accepted = made[0].transport.get_extra_info("socket")
        flag = accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        writer.close()
        return int(flag)
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize(("protocol", "expected"), [(NoDelayH11Protocol, 1), (H11Protocol, 0)])
def test_connections_on_a_socket_bound_like_uvicorns_workers_switch_nagle_off(
    protocol: type[H11Protocol], expected: int
) -> None:
    """Ours sets the option; uvicorn's own protocol (the control) leaves it off on such a socket,
    which is the ~40 ms stall this module fixes."""
    assert asyncio.run(_nodelay_of_accepted_connection(protocol)) == expected
