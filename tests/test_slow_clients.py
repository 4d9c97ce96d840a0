"""Slow clients (headers sent a line at a time) behind the nginx configuration shipped in
docs/deploiement (Debian's nginx, on 127.0.0.1 only)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest
from conftest import REPO, free_port

# Starts servers: left out of the fast subset (-m "not browser and not slow").
pytestmark = pytest.mark.slow

SAMPLE = REPO / "docs" / "deploiement" / "nginx-webmap.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW_CLIENTS = 48  # far more than gunicorn's 2 workers x 4 threads


def health_answers(base: str, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(base + "/sante", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def slow_clients(port: int) -> list[socket.socket]:
    """Connections that started a request and send its headers one line at a time."""
    sockets = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /projets HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(sock)
    return sockets


def keep_slow(sockets: list[socket.socket]) -> None:
    for i, sock in enumerate(sockets):
        try:
            sock.sendall(f"X-Lent-{i}: {time.monotonic()}\r\n".encode())
        except OSError:
            pass


def under_slow_clients(port: int, base: str) -> bool:
    """Does /sante answer while the slow clients hold their connections?"""
    sockets = slow_clients(port)
    try:
        time.sleep(0.5)
        keep_slow(sockets)
        return health_answers(base)
    finally:
        for sock in sockets:
            sock.close()


@pytest.fixture
def nginx_in_front(tmp_path, live_server):
    if not os.path.exists(NGINX):
        pytest.skip("nginx absent (scripts/system-packages.sh nginx l'installe)")
    port = free_port()
    site = SAMPLE.read_text().replace("listen 80;", f"listen 127.0.0.1:{port};").replace(
        "server 127.0.0.1:8000;", f"server {live_server.removeprefix('http://')};")
    (tmp_path / "site.conf").write_text(site)
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(f"""{user}
daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
  fastcgi_temp_path {tmp_path}/fcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
  include {tmp_path}/site.conf;
}}
""")
    process = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                               stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not health_answers(base, 1) and time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.1)
    yield port, base
    process.terminate()
    process.wait(timeout=10)


def test_slow_clients_do_not_stall_the_app_behind_nginx(nginx_in_front):
    """Against gunicorn alone the same clients stall /sante whenever both workers took at
    least 4 of them (docs/securite.md); which worker accepts which connection is up to the
    kernel, so that side is measured, not asserted."""
    port, base = nginx_in_front
    assert under_slow_clients(port, base), "nginx in front: /sante must answer"
