"""What the map pages share (the page, the embed, the cards and the export use it): asset and
data URLs, the basemap, rendered maps cached per app, the view from the URL, the context of
the page templates. Not a blueprint: blueprints import this, never each other."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from urllib.parse import urlencode

from flask import current_app, render_template, request, url_for

from webmap.analysis.metrics import LEVEL_RECORDS, METRIC_RECORDS
from webmap.analysis.territory import KINDS
from webmap.mapview.build import Tiles, Urls, build_map, map_data, preload_links, render_parts
from webmap.mapview.dataset import Dataset
from webmap.mapview.view import ALL_THEMES, MapView, parse_view
from webmap.mapview.zones import ZONES
from webmap.projects.schema import THEMES
from webmap.web.assets import bundle, minified
from webmap.web.common import STATIC_PAGE_KINDS, BadParameters


class RenderCache:
    """Rendered maps and pages of recent views, per app (Folium rendering is the slow part);
    keys hold the data version, so a reload never serves an old map."""

    def __init__(self, size: int = 128):
        self.size = size
        self._entries: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple, compute) -> dict:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        entry = compute()
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry


def app_urls(version: str | None = None) -> Urls:
    """Asset and data URLs; data URLs carry the dataset version, so a reload is never hidden
    by a browser cache (the files themselves are cacheable)."""
    v = {"v": version} if version else {}
    return Urls(
        map_js=url_for("assets.bundle_file", name="carte", version=bundle("carte")[0]),
        search_js=url_for("assets.bundle_file", name="recherche", version=bundle("recherche")[0]),
        level_polygons=lambda level: url_for("downloads.level_geometry", niveau=level, **v),
        level_overview=lambda level: url_for("downloads.level_overview", niveau=level, **v),
        commune_polygons=lambda dep: url_for("downloads.commune_geometry", departement=dep, **v),
        commune_overview=lambda dep: url_for("downloads.commune_overview", departement=dep, **v),
        commune_names=lambda dep: url_for("downloads.commune_names", departement=dep, **v),
        zone_polygons=lambda which: url_for("downloads.zones", which=which, **v),
        zone_overview=lambda which: url_for("downloads.zones_overview", which=which, **v),
        coverage_json=lambda theme: url_for("downloads.uncovered", theme=theme, **v),
        view_data=lambda level, metric, theme: url_for("downloads.view_data", niveau=level, indicateur=metric,
                                                       theme=theme, **v),
        project_in_list=lambda pid: url_for("pages.projets") + "#" + pid,
        project_card=lambda pid: url_for("downloads.project_card", project_id=pid, **v),
        project_page=lambda pid: url_for("pages.projet", project_id=pid),
        search_index=lambda: url_for("downloads.search_data", **v),
        territory_bundle=lambda dep: url_for("territories.department_json", departement=dep, **v),
        territory_page=lambda kind, code: url_for("territories.territory_page", kind=kind, code=code),
    )


def public_base() -> str:
    """Where other sites reach the app: WEBMAP_PUBLIC_URL, else this request's host (which
    TRUSTED_HOSTS has checked)."""
    configured = current_app.config["WEBMAP"].public_url
    return configured or request.host_url.rstrip("/") + request.script_root


EMBEDDABLE_PATHS = ("/", "/embed", "/projets")  # pages an oEmbed consumer can be given


def oembed_discovery() -> str | None:
    """The absolute address of the oEmbed answer for this page (consumers such as WordPress
    refuse a relative one); none in a static copy, which has no /oembed."""
    if current_app.config["WEBMAP"].static_export:
        return None
    query = request.query_string.decode("latin-1")
    page = public_base() + request.path + (f"?{query}" if query else "")
    return f"{public_base()}/oembed?{urlencode({'url': page, 'format': 'json'})}"


def tiles() -> Tiles:
    settings = current_app.config["WEBMAP"]
    return Tiles(settings.tiles_url if settings.tiles_enabled else None, settings.tiles_attribution)


MAP_KINDS = {"page": False, "embed": True}  # script name -> compact layer control


def _urls(data: Dataset) -> Urls:
    static = current_app.config["WEBMAP"].static_export
    return app_urls(None if static else data.version)


def rendered_map(data: Dataset, kind: str) -> dict:
    """The map of a kind of page (the same for every view), rendered once per data version."""
    key = ("map", data.version, kind, request.script_root, tiles())

    def render() -> dict:
        parts = render_parts(build_map(data, _urls(data), tiles(), compact=MAP_KINDS[kind]))
        return {**parts, "script": minified("carte.js", parts["script"].encode("utf-8")).decode("utf-8")}

    return current_app.extensions["webmap.render_cache"].get(key, render)


def map_page(template: str, data: Dataset, view: MapView, kind: str, **context) -> str:
    """A map page of a view: the map's assets and <div>, the script's address, the island
    (the view and its figures) and the first view's legend for the first paint. Without
    inline code (no nonce), so rendered once per view and data version."""
    query = request.query_string.decode("latin-1")
    key = ("page", template, data.version, query, request.script_root, public_base(), tiles())

    def render() -> str:
        urls = _urls(data)
        static = current_app.config["WEBMAP"].static_export
        script = url_for("pages.map_script", kind=kind, **({} if static else {"v": data.version}))
        island = map_data(data, view, urls, page_kinds=STATIC_PAGE_KINDS if static else KINDS)
        figures = island["viewData"]
        return render_template(template, map=rendered_map(data, kind), script=script, island=island,
                               still_image=view_image_url(view, static),
                               legend=figures["legend"], summary=figures["summary"],
                               preload=preload_links(data, view, urls),
                               oembed=oembed_discovery(), **page_context(data, view), **context)

    return current_app.extensions["webmap.render_cache"].get(key, render)


def view_image_url(view: MapView, static: bool, **options) -> str:
    """The server's image of a view (/carte.png): printed, and shown without JavaScript. A
    static copy carries the default view's only."""
    query = {} if static else {k: v for k, v in view.query().items()
                               if k in ("niveau", "indicateur", "theme", "departement")}
    return url_for("images.map_image", fmt="png", **options, **query)


def parse_or_400(data: Dataset) -> MapView:
    view, errors = parse_view(request.args, set(data.by_id), data.territories.region.departements)
    if errors:
        raise BadParameters([e.message() for e in errors])
    return view


def page_context(data: Dataset, view: MapView) -> dict:
    counts = {t.slug: sum(p.theme == t.slug for p in data.projects) for t in THEMES}
    return {
        "view": view, "themes": THEMES, "theme_counts": counts,
        "levels": [(r.slug, r.label) for r in LEVEL_RECORDS],
        "metrics": [(r.slug, r.label) for r in METRIC_RECORDS],
        "theme_choices": [(ALL_THEMES, "Tous les thèmes")] + [(t.slug, t.court) for t in THEMES],
        "regional": [p for p in data.projects if p.regionwide],
        "unlocated_zones": [zone.label + note for zone in ZONES
                            if (note := zone.unlocated_note(data.projects, data.territory_label))],
        "project_count": len(data.projects),
        "settings": current_app.config["WEBMAP"],
        "departements": [(c, data.territory_label(f"departement:{c}")) for c in data.territories.region.departements],
    }
