"""Application settings, read from environment variables with safe defaults.

Values that end up in response headers (origins, host names, the public address) are
validated here, at start-up: a bad value stops the server with a French message instead
of silently changing a security header.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from webmap.projects.schema import BOOLEAN_EXPECTED, parse_boolean
from webmap.reference.files import default_data_dir

IGN_PLAN_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
    "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
IGN_ATTRIBUTION = '© <a href="https://www.ign.fr/">IGN</a> — Plan IGN'
# Host names the app answers when no public address is configured (a local run, tests).
LOCAL_HOSTS = ("127.0.0.1", "localhost")

_HOST = r"(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
_ORIGIN = re.compile(rf"https?://{_HOST}(?::[0-9]{{1,5}})?")
_TRUSTED_HOST = re.compile(r"\.?" + _HOST.replace(r"(?:\*\.)?", ""))


class ConfigError(ValueError):
    """A setting that cannot be used; the message says which, in French."""


def _words(value: str) -> list[str]:
    """Items separated by spaces and/or commas."""
    return [w for w in re.split(r"[\s,]+", value.strip()) if w]


def _is_origin(text: str) -> bool:
    """scheme://host[:port] and nothing else (no path, no directive, no quote)."""
    if not _ORIGIN.fullmatch(text):
        return False
    try:
        urlsplit(text).port  # noqa: B018 - raises on a port beyond 65535
    except ValueError:
        return False
    return True


def parse_origins(value: str, variable: str = "WEBMAP_FRAME_ANCESTORS") -> tuple[str, ...]:
    origins = []
    for word in _words(value):
        origin = word.lower().rstrip("/")
        if not _is_origin(origin):
            raise ConfigError(
                f"{variable} : « {word} » n'est pas une origine. Attendu : des origines "
                "schéma://hôte[:port] séparées par des espaces ou des virgules, par exemple "
                "« https://www.hauts-de-france.gouv.fr https://intranet.exemple.gouv.fr ».")
        origins.append(origin)
    return tuple(origins)


def parse_public_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment or parts.username or parts.password \
            or not _is_origin(f"{parts.scheme}://{parts.netloc.lower()}"):
        raise ConfigError(
            f"WEBMAP_PUBLIC_URL : « {value} » n'est pas une adresse publique. Attendu : "
            "http(s)://hôte[:port][/chemin], sans paramètres, par exemple "
            "« https://carte.hauts-de-france.gouv.fr ».")
    return value


def parse_hosts(value: str) -> tuple[str, ...]:
    hosts = []
    for word in _words(value):
        host = word.lower()
        if not _TRUSTED_HOST.fullmatch(host):
            raise ConfigError(
                f"WEBMAP_TRUSTED_HOSTS : « {word} » n'est pas un nom d'hôte. Attendu : des noms "
                "séparés par des espaces ou des virgules, sans schéma ni port, par exemple "
                "« carte.hauts-de-france.gouv.fr » (« .exemple.fr » accepte ses sous-domaines).")
        hosts.append(host)
    return tuple(hosts)


def parse_number(value: object, label: str, low: float, high: float, kind: type = float,
                 what: str | None = None) -> float:
    """A number between `low` and `high` (an int when `kind` is int), or a French ConfigError
    naming the variable or option `label`."""
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        what = what or ("un nombre entier" if kind is int else "un nombre")
        raise ConfigError(f"{label} : « {value} » incorrect. Attendu : {what} entre {low} et {high}.")
    return number


_EMAIL = re.compile(r"[^@\s<>\"'(),;:\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def parse_email(value: str, variable: str) -> str:
    """An e-mail address (for mailto: links), or "" when the variable is empty."""
    value = value.strip()
    if value and not _EMAIL.fullmatch(value):
        raise ConfigError(f"{variable} : « {value} » n'est pas une adresse électronique "
                          "(attendu : nom@domaine.fr).")
    return value


def parse_flag(value: str, variable: str) -> bool:
    """A yes/no setting, with the words the project files accept (empty: no)."""
    flag = parse_boolean(value)
    if flag is None:
        raise ConfigError(f"{variable} : « {value} » incorrect. Attendu : {BOOLEAN_EXPECTED}.")
    return flag


def parse_seconds(value: str, variable: str, default: float) -> float:
    return parse_number(value, variable, 0, 3600, what="un nombre de secondes") if value.strip() else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    # Empty string or "off" turns the basemap off (tests, offline use).
    tiles_url: str = IGN_PLAN_URL
    tiles_attribution: str = IGN_ATTRIBUTION
    frame_ancestors: tuple[str, ...] = ()
    # Public address of the app, for the <iframe> snippets and oEmbed.
    public_url: str = ""
    # Host names accepted in the Host header, besides the public address's (400 otherwise).
    trusted_hosts: tuple[str, ...] = LOCAL_HOSTS
    hsts: bool = False
    # A new projects file is loaded once unchanged for this long (an editor still writing).
    reload_settle_seconds: float = 2.0
    reload_check_seconds: float = 1.0
    # Where visitors write (accessibility, errors in the data): an e-mail address, or nothing.
    contact: str = ""
    # `webmap export`: pages are written as files, without query-string views.
    static_export: bool = False

    @property
    def tiles_enabled(self) -> bool:
        return bool(self.tiles_url) and self.tiles_url.lower() != "off"

    @property
    def allowed_hosts(self) -> list[str]:
        """Flask's TRUSTED_HOSTS: the public address's host and the configured names."""
        hosts = list(self.trusted_hosts)
        if self.public_url:
            hosts.insert(0, urlsplit(self.public_url).hostname or "")
        return hosts

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Raises ConfigError (French message) on a value that cannot be used."""
        env = os.environ if environ is None else environ
        defaults = cls()
        trusted = env.get("WEBMAP_TRUSTED_HOSTS")
        return cls(
            data_dir=Path(env["WEBMAP_DATA_DIR"]) if env.get("WEBMAP_DATA_DIR") else defaults.data_dir,
            tiles_url=env.get("WEBMAP_TILES_URL", defaults.tiles_url),
            tiles_attribution=env.get("WEBMAP_TILES_ATTRIBUTION", defaults.tiles_attribution),
            frame_ancestors=parse_origins(env.get("WEBMAP_FRAME_ANCESTORS", "")),
            public_url=parse_public_url(env.get("WEBMAP_PUBLIC_URL", "")),
            trusted_hosts=defaults.trusted_hosts if trusted is None else parse_hosts(trusted),
            hsts=parse_flag(env.get("WEBMAP_HSTS", ""), "WEBMAP_HSTS"),
            contact=parse_email(env.get("WEBMAP_CONTACT", ""), "WEBMAP_CONTACT"),
            reload_settle_seconds=parse_seconds(env.get("WEBMAP_RELOAD_SETTLE", ""),
                                                "WEBMAP_RELOAD_SETTLE", defaults.reload_settle_seconds),
            reload_check_seconds=parse_seconds(env.get("WEBMAP_RELOAD_CHECK", ""),
                                               "WEBMAP_RELOAD_CHECK", defaults.reload_check_seconds),
        )
