"""``spark.stop()`` without pyspark's second of waiting for its accumulator server.

The driver's Python process runs a small server that the JVM sends accumulator updates to, over
one connection opened when the first Python task ends. Its handler waits for data in polls of
one second and looks at the server's shutdown flag between them, so ``SparkContext.stop()``,
which sets the flag and waits for the server's loop to end, waits for the poll in progress: most
of what a stop after any Python task took (docs/decisions/session-start.md). A session without
Python workers has no such connection and does not wait.

``fast_shutdown(sc)`` wraps the server's ``shutdown`` of this one context: the flag is set, then
the read side of each connection the server took is shut, which ends the handler's poll at once
(it reads the end of the stream and returns through the server's error path, which is quiet for
that moment), and pyspark's own shutdown runs as before. By then no task runs, so no update can
be in flight; an update the JVM sent earlier was read and acknowledged before the task ended.
"""

from __future__ import annotations

import socket


def fast_shutdown(sc) -> bool:
    """Wrap ``sc``'s accumulator server so that stopping does not wait for its poll; False
    (and nothing changed) where the server is not the one this was written against."""
    server = getattr(sc, "_accumulatorServer", None)
    needed = ("finish_request", "shutdown", "handle_error", "server_shutdown")
    if server is None or not all(hasattr(server, name) for name in needed):
        return False
    connections: list[socket.socket] = []
    take, shutdown = server.finish_request, server.shutdown

    def finish_request(request, client_address):
        connections.append(request)
        take(request, client_address)

    def quiet(request, client_address):  # the handler reading the end of a stream shut here
        pass

    def fast_shutdown_now():
        server.server_shutdown = True
        server.handle_error = quiet
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RD)
            except OSError:  # already closed by the JVM
                pass
        shutdown()

    server.finish_request = finish_request
    server.shutdown = fast_shutdown_now
    return True
