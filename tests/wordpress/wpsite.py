"""A real WordPress (Debian's package) for the embedding tests: set up, served by `php -S`,
with posts published by its test users (see setup.sh)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from webmap.web.server import free_port

HERE = Path(__file__).resolve().parent
PASSWORD = "webmap-test"
USERS = ("admin", "author", "editor")  # roles: administrator, author, editor


class SetupUnavailable(RuntimeError):
    """WordPress cannot be installed on this machine (no php and no way to install it)."""


def can_install() -> bool:
    """php and Debian's WordPress are there, or apt-get can install them (as root or sudo)."""
    if shutil.which("php") and Path("/usr/share/wordpress/wp-load.php").exists():
        return True
    return bool(shutil.which("apt-get")) and (os.geteuid() == 0 or bool(shutil.which("sudo")))


def setup(site_dir: Path, extra_ports: list[int] = (), database: str = "webmap_wp") -> str:
    """Runs setup.sh (idempotent) and returns what it printed; raises on failure."""
    if not can_install():
        raise SetupUnavailable("php/WordPress are missing and apt-get cannot install them here")
    done = subprocess.run(
        ["bash", str(HERE / "setup.sh"), str(site_dir), *map(str, extra_ports)],
        env={**os.environ, "WP_TEST_DB": database, "WP_TEST_PASSWORD": PASSWORD},
        capture_output=True, text=True, timeout=900)
    if done.returncode == 3:
        raise SetupUnavailable(f"apt-get could not install WordPress/PHP/MariaDB :\n{done.stderr[-2000:]}")
    if done.returncode:
        raise RuntimeError(f"setup.sh failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Post:
    id: int
    url: str
    content: str  # as stored, after WordPress's filters for its author


class Session:
    """A logged-in user's cookies and REST nonce."""

    def __init__(self, url: str, opener, nonce: str):
        self.url, self.opener, self.nonce = url, opener, nonce

    def rest(self, route: str, **params: str) -> tuple[int, object]:
        """GET /wp-json/ROUTE?PARAMS as this user: (status, decoded JSON)."""
        request = urllib.request.Request(
            f"{self.url}/wp-json/{route.lstrip('/')}?{urllib.parse.urlencode(params)}",
            headers={"X-WP-Nonce": self.nonce})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


class WordPressSite:
    """`php -S 127.0.0.1:PORT` on a site made by setup.sh. Use as a context manager, or
    start() and stop()."""

    def __init__(self, site_dir: Path, port: int | None = None, extra_ports: list[int] = ()):
        self.dir = Path(site_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_ports = list(extra_ports)
        self.process: subprocess.Popen | None = None
        self.log = self.dir / "php-server.log"

    def start(self) -> WordPressSite:
        env = {**os.environ, "WP_TEST_URL": self.url,
               "WP_EXTRA_PORTS": " ".join(map(str, self.extra_ports)),
               # Several workers: the browser loads scripts while a page fetches oEmbed.
               "PHP_CLI_SERVER_WORKERS": "4"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.dir), str(self.dir / "router.php")],
                cwd=self.dir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"php -S did not start: {log}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)  # the server and its workers (own session)
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> WordPressSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def php(self, script: str, *args: str, stdin: str = "") -> str:
        """Runs one of this folder's PHP helpers against the site; returns its stdout."""
        done = subprocess.run(["php", str(HERE / script), str(self.dir), *args], input=stdin,
                              env={**os.environ, "WP_TEST_URL": self.url,
                                   "WP_EXTRA_PORTS": " ".join(map(str, self.extra_ports))},
                              capture_output=True, text=True, timeout=60)
        if done.returncode:
            raise RuntimeError(f"{script} failed: {done.stderr or done.stdout}")
        return done.stdout

    def create_post(self, user: str, content: str, title: str = "Carte des projets") -> Post:
        """A published post by `user` (author, editor, admin): a new post each time, so no
        oEmbed result cached by an earlier try is reused."""
        data = json.loads(self.php("new-post.php", user, title, stdin=content))
        return Post(data["id"], data["url"], data["content"])

    def login(self, user: str) -> Session:
        """`user` logged in through wp-login.php, with a REST nonce (what the block editor has)."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(self.url + "/wp-login.php", timeout=30).read()  # sets the test cookie
        form = {"log": user, "pwd": PASSWORD, "wp-submit": "Log In", "testcookie": "1",
                "redirect_to": self.url + "/wp-admin/profile.php"}
        opener.open(self.url + "/wp-login.php", urllib.parse.urlencode(form).encode(), timeout=30).read()
        if not any(c.name.startswith("wordpress_logged_in_") for c in jar):
            raise RuntimeError(f"{user} could not log in")
        nonce = opener.open(self.url + "/wp-admin/admin-ajax.php?action=rest-nonce", timeout=30).read().decode()
        return Session(self.url, opener, nonce)

    def debug_log(self) -> str:
        path = self.dir / "wp-content" / "debug.log"
        return path.read_text(errors="replace") if path.exists() else ""
