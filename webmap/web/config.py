"""Application settings, read from environment variables with safe defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from webmap.reference.files import default_data_dir

IGN_PLAN_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
    "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
IGN_ATTRIBUTION = '© <a href="https://www.ign.fr/">IGN</a> — Plan IGN'


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    # Empty string or "off" turns the basemap off (tests, offline use).
    tiles_url: str = IGN_PLAN_URL
    tiles_attribution: str = IGN_ATTRIBUTION
    frame_ancestors: tuple[str, ...] = ()
    # Public address of the app, for the <iframe> snippets and oEmbed (default: the request's).
    public_url: str = ""
    hsts: bool = False
    # `webmap export`: pages are written as files, without query-string views.
    static_export: bool = False

    @property
    def tiles_enabled(self) -> bool:
        return bool(self.tiles_url) and self.tiles_url.lower() != "off"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            data_dir=Path(env["WEBMAP_DATA_DIR"]) if env.get("WEBMAP_DATA_DIR") else defaults.data_dir,
            tiles_url=env.get("WEBMAP_TILES_URL", defaults.tiles_url),
            tiles_attribution=env.get("WEBMAP_TILES_ATTRIBUTION", defaults.tiles_attribution),
            frame_ancestors=tuple(env.get("WEBMAP_FRAME_ANCESTORS", "").split()),
            public_url=env.get("WEBMAP_PUBLIC_URL", "").rstrip("/"),
            hsts=env.get("WEBMAP_HSTS", "").lower() in ("1", "oui", "true"),
        )
