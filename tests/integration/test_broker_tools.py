"""The test harness's own broker calls on a busy machine: rabbitmqctl still answers when ordinary client
sockets hold every port of its default distribution range (what failed a CI run with exit 78)."""
import socket

from tests.support import Vhost

DEFAULT_CLI_PORTS = range(35672, 35683)


def test_a_vhost_is_made_and_removed_while_client_sockets_hold_the_default_cli_ports():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(len(DEFAULT_CLI_PORTS))
        held = []
        try:
            for port in DEFAULT_CLI_PORTS:
                client = socket.socket()
                held.append(client)
                try:
                    client.bind(("127.0.0.1", port))
                except OSError:  # another socket holds it already: held either way
                    continue
                client.connect(listener.getsockname())
            vhost = Vhost().create()
            vhost.delete()
        finally:
            for client in held:
                client.close()
