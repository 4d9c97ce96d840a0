"""One command, one table: `python bench/run.py [--runs 5] [--seconds 10] [--no-national]`.

Measures side by side, in one run:
1. our /embed (all theme layers, commune-level choropleth) against the baseline a Python
   user would write (geopandas explore() of the same communes and metric, plus the project
   markers) and against the floor (the app's Leaflet and the same markers on a canvas,
   nothing else): requests, bytes (raw, gzip), time to an interactive map (median), ratios;
   (regional) also the floor with the same commune polygons on a bare canvas, to say what
   drawing the communes costs by itself;
2. (regional) the time from a metric change on the full page to a ready map again;
3. throughput and latency of the production server (gunicorn) under 32 connections (wrk);
4. the national scenario (34,800 communes, 2,610 projects), ours, the baseline and the floor;
5. the project's targets, met or not, from these numbers.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import math
import os
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

import geopandas as gpd

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from baseline import write_baseline  # noqa: E402
from floor import READY as FLOOR_READY  # noqa: E402
from floor import write_floor  # noqa: E402
from load import LoadResult, wrk  # noqa: E402
from pages import PageMeasure, SwitchMeasure, launch, measure_page, measure_switch  # noqa: E402

from webmap.analysis.metrics import compute_metrics  # noqa: E402
from webmap.mapview.polygon_codec import decode_polygons  # noqa: E402
from webmap.projects.store import load_projects  # noqa: E402
from webmap.reference.files import ReferenceFiles  # noqa: E402
from webmap.reference.territories import Territories  # noqa: E402
from webmap.web.server import free_port, start_background  # noqa: E402


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_folder(folder: Path):
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                             functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{port}"


def baseline_inputs(data_dir: Path, app_base: str):
    """Communes with the metric, and /projets.geojson as the baseline draws it (all projects, the
    region-wide ones at the region's centre) and as the map places them (the floor's markers)."""
    files = ReferenceFiles(data_dir)
    territories = Territories.load(files)
    projects = load_projects(files.projects)
    communes = gpd.read_file(files.layer("communes"))
    counts = compute_metrics(projects, territories, "commune").table["projets"]
    communes["projets"] = communes["code"].map(counts).fillna(0).astype(int)
    with urllib.request.urlopen(app_base + "/projets.geojson") as response:
        points = gpd.GeoDataFrame.from_features(json.load(response)["features"], crs="EPSG:4326")
    placed = points[points["id"].isin({p.id for p in projects if not p.regionwide})]
    return (communes, points[["titre", "porteur", "theme", "geometry"]], placed[["geometry"]],
            territories.region.departements)


def overview_communes(app_base: str, departements) -> list:
    """The commune polygons the map draws at the region's zoom (its overview files), decoded:
    per commune, its rings of (lon, lat)."""
    rings = []
    for departement in departements:
        with urllib.request.urlopen(f"{app_base}/donnees/geo/commune-apercu/{departement}.bin") as response:
            rings += decode_polygons(response.read()).rings
    return rings


OURS_READY = ("document.documentElement.dataset.{key} === '{state}' && "
              "document.querySelectorAll('.leaflet-marker-pane .wm-marker').length >= {markers}")
BASELINE_READY = "document.querySelectorAll('.leaflet-overlay-pane path').length >= {paths}"


def fmt_bytes(n: int) -> str:
    return f"{n / 1024:,.0f} Ko".replace(",", " ")


def fmt_ms(value: float) -> str:
    return "> limite" if value == float("inf") else f"{value:,.0f} ms"


def ratio(a: float, b: float) -> float:
    """a / b, or nan when either side never finished (or b is 0): no meaningful ratio."""
    return a / b if math.isfinite(a) and math.isfinite(b) and b > 0 else math.nan


def fmt_ratio(value: float, digits: int = 3) -> str:
    return "—" if math.isnan(value) else f"{value:.{digits}f}"


def fmt_runs(times: list[float]) -> list[str]:
    return [fmt_ms(t) for t in sorted(times)]


def page_table(title: str, ours: PageMeasure, base: PageMeasure, floor: PageMeasure) -> str:
    def row(label, value, fmt, digits=3):
        a, b, c = value(ours), value(base), value(floor)
        return (label, fmt(a), fmt(b), fmt(c), fmt_ratio(ratio(a, b), digits), fmt_ratio(ratio(a, c), digits))

    rows = [
        row("requêtes", lambda m: m.requests, str, 2),
        row("octets (brut)", lambda m: m.raw_bytes, fmt_bytes),
        row("octets (gzip)", lambda m: m.gzip_bytes, fmt_bytes),
        row("carte interactive (médiane)", lambda m: m.tti_median, fmt_ms),
    ]
    lines = [title, f"{'':30} {'webmap /embed':>16} {'explore()':>16} {'plancher':>16} "
                    f"{'÷ explore':>10} {'÷ plancher':>10}"]
    lines += [f"{a:30} {b:>16} {c:>16} {d:>16} {e:>10} {f:>10}" for a, b, c, d, e, f in rows]
    lines.append(f"  (exécutions : webmap {fmt_runs(ours.tti_ms)} ; explore {fmt_runs(base.tti_ms)} ; "
                 f"plancher {fmt_runs(floor.tti_ms)})")
    if ours.foreign or base.foreign or floor.foreign:
        lines.append(f"  requêtes hors serveur : webmap {ours.foreign} ; explore {base.foreign} ; "
                     f"plancher {floor.foreign}")
    return "\n".join(lines)


def switch_line(switch: SwitchMeasure) -> str:
    line = (f"changement d'indicateur (du changement à data-ready) : médiane {fmt_ms(switch.median)} "
            f"(exécutions : {fmt_runs(switch.ms)})")
    if switch.reloads:
        line += f"\n  la page s'est rechargée : {switch.reloads} changement(s) sur {len(switch.ms)}"
    if switch.error:
        line += f"\n  première erreur : {switch.error}"
    return line


def objectives(national: bool, ours: PageMeasure, base: PageMeasure, floor: PageMeasure,
               embed_load: LoadResult | None, switch: SwitchMeasure | None) -> list[str]:
    """The project's targets, evaluated on this scenario's numbers: one line each."""
    def times(value: float, digits: int = 3) -> str:
        return "—" if math.isnan(value) else f"{value:.{digits}f} ×"

    vs_floor = ratio(ours.tti_median, floor.tti_median)
    checks = []  # (target, figure, met)
    if not national:
        gz, tti = ratio(ours.gzip_bytes, base.gzip_bytes), ratio(ours.tti_median, base.tti_median)
        checks += [("octets (gzip) de /embed ≤ 0,15 × explore()", times(gz), gz <= 0.15),
                   ("carte interactive ≤ 0,35 × explore()", times(tti), tti <= 0.35)]
    limit = 2.5 if national else 1.6
    checks.append((f"carte interactive ≤ {limit:.1f} × plancher".replace(".", ","),
                   times(vs_floor, 2), vs_floor <= limit))
    if embed_load:
        checks.append(("wrk /embed ≥ 1 000 req/s sans erreur",
                       f"{embed_load.requests_per_s:,.0f} req/s, {embed_load.errors} erreur(s)",
                       embed_load.requests_per_s >= 1000 and embed_load.errors == 0))
    if switch:
        checks.append(("changement d'indicateur ≤ 100 ms (médiane), sans rechargement",
                       fmt_ms(switch.median) + (f", {switch.reloads} rechargement(s)" if switch.reloads else ""),
                       switch.median <= 100 and not switch.reloads))
    return [f"{target:62} {figure:>26}  {'atteint' if met else 'non atteint'}" for target, figure, met in checks]


def scenario(browser, name: str, data_dir: Path, runs: int, national: bool, load_seconds: int):
    env = {**os.environ, "WEBMAP_TILES_URL": "off", "WEBMAP_DATA_DIR": str(data_dir)}
    process, app = start_background(free_port(), env, timeout=600)
    out: list[str] = []
    try:
        projects = load_projects(ReferenceFiles(data_dir).projects)
        placed = sum(1 for p in projects if not p.regionwide)
        communes, points, placed_points, departements = baseline_inputs(data_dir, app)
        folder = Path(tempfile.mkdtemp(prefix="webmap-baseline-"))
        write_baseline(folder, communes, "projets", points)
        server, static = serve_folder(folder)
        floor_folder = Path(tempfile.mkdtemp(prefix="webmap-floor-"))
        write_floor(floor_folder, placed_points, None if national else overview_communes(app, departements))
        floor_server, floor_static = serve_folder(floor_folder)
        ready = OURS_READY.format(key="choropleth", state="loaded", markers=placed)
        if national:  # the commune layer waits for a zoom-in; the departments must be drawn; the
            # markers are on a canvas beyond WebMap.DOM_MARKERS_MAX, counted by <html data-markers>
            ready = ("['zoom', 'loaded'].includes(document.documentElement.dataset.choropleth) && "
                     "document.documentElement.dataset.departements === 'loaded' && "
                     f"Number(document.documentElement.dataset.markers) >= {placed}")
        ours = measure_page(browser, "webmap", app + "/embed?niveau=commune", ready, runs)
        base_runs = 1 if national else runs
        base = measure_page(browser, "explore", static + "/index.html",
                            BASELINE_READY.format(paths=len(communes) + len(points)), base_runs,
                            timeout_ms=300_000 if national else 120_000)
        floor = measure_page(browser, "plancher", floor_static + "/index.html", FLOOR_READY, runs)
        out.append(page_table(f"== {name} : page complète ({len(communes)} communes, {len(projects)} projets) ==",
                              ours, base, floor))
        if not national:
            drawn = measure_page(browser, "plancher + communes", floor_static + "/communes.html", FLOOR_READY, runs)
            out.append(f"  plancher avec les mêmes {len(communes)} communes (canevas nu, chemins projetés "
                       f"dans la page) : médiane {fmt_ms(drawn.tti_median)}, "
                       f"{fmt_ratio(ratio(drawn.tti_median, floor.tti_median), 2)} × le plancher ; "
                       f"webmap à {fmt_ratio(ratio(ours.tti_median, drawn.tti_median), 2)} × ce "
                       f"plancher-là (exécutions : {fmt_runs(drawn.tti_ms)})")
        if national:
            zoomed = measure_page(
                browser, "webmap zoom", app + "/embed?niveau=commune", ready, 1,
                after_ready="() => { WebMap.map.setView([48.86, 2.35], 10, {animate: false}); }")
            out.append(f"  après un zoom sur Paris (niveau 10) : {zoomed.requests} requêtes, "
                       f"{fmt_bytes(zoomed.gzip_bytes)} gzip au total : seules les communes des "
                       "départements visibles sont chargées")
            out.append(f"  webmap contre le plancher ({len(placed_points)} marqueurs sur canevas, Leaflet seul) : "
                       f"{fmt_ms(ours.tti_median)} contre {fmt_ms(floor.tti_median)}, "
                       f"{fmt_ratio(ratio(ours.tti_median, floor.tti_median), 2)} ×")
        server.shutdown()
        floor_server.shutdown()
        switch = None
        if not national:
            switch = measure_switch(browser, app + "/?niveau=commune", runs)
            out.append(switch_line(switch))
        loads: list[LoadResult] = []
        if load_seconds:
            out.append(f"== {name} : charge (wrk, 32 connexions, {load_seconds} s, gunicorn 2 workers × 4 threads) ==")
            out.append(f"{'adresse':42} {'req/s':>9} {'p50':>9} {'p99':>9} {'requêtes':>9} {'erreurs':>8}")
            first_dep = "59" if not national else "75"
            for path in ("/embed?niveau=commune", f"/donnees/geo/commune/{first_dep}.bin",
                         "/projets.geojson", "/donnees/couverture/alimentation.json"):
                r = wrk(app, path, seconds=load_seconds)
                loads.append(r)
                out.append(f"{path:42} {r.requests_per_s:>9,.0f} {r.p50_ms:>7.1f}ms {r.p99_ms:>7.1f}ms "
                           f"{r.requests:>9} {r.errors:>8}")
        out.append(f"== {name} : objectifs ==")
        embed_load = next((r for r in loads if r.path.startswith("/embed")), None)
        out += objectives(national, ours, base, floor, embed_load, switch)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seconds", type=int, default=10, help="durée de chaque mesure wrk (0 : pas de charge)")
    parser.add_argument("--no-national", action="store_true")
    parser.add_argument("--only-national", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    report = []
    with sync_playwright() as pw:
        browser = launch(pw)
        if not args.only_national:
            report.append(scenario(browser, "Hauts-de-France", REPO / "data", args.runs, False, args.seconds))
            print(report[-1], flush=True)
        if not args.no_national:
            from national import build

            # As many cold runs as the region's (the targets are medians of >= 9).
            report.append(scenario(browser, "France métropolitaine (synthétique)", build(), args.runs,
                                   True, args.seconds))
            print(report[-1], flush=True)
        browser.close()


if __name__ == "__main__":
    main()
