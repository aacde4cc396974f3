"""Start stand-in provider processes in milliseconds: a warm parent forks them.

Terraform starts a provider process for every provider in every command, and again for every
provider configuration in every graph walk: 13 times for `validate` + `plan` of a stack with
azurerm, an aliased azurerm and time. A fresh Python process that imports gRPC takes ~0.15 s of
CPU before it can answer, most of the validate + plan budget. So:

- the *zygote* (``python -m tools.terraform_standin.launcher serve ...``, started by
  ``mirror.Mirror.running()``) imports the server once and listens on a Unix socket in the mirror;
- the mirror's wrapper runs this file as a bare script (``python -I -S launcher.py ...``: no
  site-packages, ~20 ms), which sends its stdout/stderr file descriptors, working directory and
  environment (Terraform's magic cookie, client certificate, ...) over the socket and waits;
- the zygote forks; the child takes over those descriptors and environment and runs
  ``server.serve`` exactly as a fresh process would: Terraform reads the handshake from the
  wrapper's stdout and talks gRPC to the child. When the child exits the wrapper exits with its
  status; when the wrapper is killed the child notices and exits.

Without a zygote (no socket) the wrapper execs the server directly: same behaviour, just slower.
The client half below imports only the standard library: it runs without site-packages.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys

RUN_SERVER = "tools.terraform_standin.server"


def client(socket_path: str, provider: str, schema_dir: str, tls_dir: str) -> None:
    """The wrapper's half: hand this process's stdio to a forked server, or exec one."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path)
    except OSError:  # no zygote: be the server ourselves (PYTHONPATH is set by the wrapper)
        os.execv(sys.executable, [sys.executable, "-m", RUN_SERVER, provider, schema_dir, tls_dir])
    request = json.dumps({"provider": provider, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    socket.send_fds(connection, [len(request).to_bytes(4, "big") + request], [1, 2])
    status = connection.recv(1)  # the child's exit status, or b"" if it died
    os._exit(status[0] if status else 1)


def serve(socket_path: str, schema_dir: str, tls_dir: str) -> None:
    """The zygote: import once, then fork one server per connection."""
    import signal
    from pathlib import Path

    from tools.terraform_standin import schema, server

    providers = schema.providers(Path(schema_dir))
    for info in providers.values():  # warm the shared caches before any fork
        server.StandinProvider(info).schema_response([])  # builds the entry, loads the pruning parts
        schema.split_dump(info.schema_file)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    while True:
        connection, _ = listener.accept()
        message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 2)
        while len(message) < 4 or len(message) < 4 + int.from_bytes(message[:4], "big"):
            message += connection.recv(1 << 20)
        if os.fork() == 0:
            listener.close()
            _child(connection, fds, json.loads(message[4:]), providers, Path(tls_dir))
        connection.close()
        for fd in fds:
            os.close(fd)


def _child(connection: socket.socket, fds: list[int], request: dict, providers: dict, tls_dir) -> None:
    """Become the provider process the wrapper would have exec'd; never returns."""
    status = 1
    try:
        import signal
        import threading

        from tools.terraform_standin import server

        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for target, fd in zip((1, 2), fds, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])

        def exit_when_the_wrapper_is_gone() -> None:
            connection.recv(1)  # returns only when the wrapper closed its end (killed)
            os._exit(1)

        threading.Thread(target=exit_when_the_wrapper_is_gone, daemon=True).start()
        status = server.serve(providers[request["provider"]], tls_dir)
    except BaseException:
        import traceback

        traceback.print_exc()  # to the wrapper's stderr, which Terraform logs
    finally:
        with contextlib.suppress(OSError):  # the wrapper may be gone already
            sys.stdout.flush()
            connection.send(bytes([status]))
        os._exit(status)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(*sys.argv[2:])
    else:
        client(*sys.argv[1:])
