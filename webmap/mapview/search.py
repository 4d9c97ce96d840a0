"""The map's search index: communes (names as people write them, former names, postal codes), EPCI
(current, short and former names), departments and projects (title, carrier), as one static
file the browser searches by itself (static/search.js), in the app and in a static copy.

Its keys are normalized by the gazetteer's `normalize` and the browser applies the same
function (tests/vectors/normalize.json checks both), so « ST QUENTIN », « st-quentin » and
« Saint-Quentin » meet; the places' keys are the gazetteer's own (`Gazetteer.search_keys`)."""

from __future__ import annotations

import csv

from webmap.mapview.dataset import Dataset
from webmap.places.gazetteer import Gazetteer, load_aliases, normalize, read_former_communes
from webmap.projects.schema import THEMES

KIND_ORDER = ("commune", "epci", "departement", "projet")
KIND_LABELS = {"commune": "Commune", "epci": "Intercommunalité", "departement": "Département", "projet": "Projet"}
BBOX_DECIMALS = 2  # about 1 km: enough to frame a place


def postal_codes(data: Dataset) -> dict[str, list[str]]:
    """INSEE code -> postal codes (data/codes_postaux.csv, made by `webmap build-data`)."""
    path = data.files.postal_codes
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["code"]: [c for c in row["codes_postaux"].split(";") if c] for row in csv.DictReader(handle)}


def _bboxes(data: Dataset) -> dict[str, list[float]]:
    """typed code -> [south, west, north, east] of every commune, EPCI and department."""
    out = {}
    layers = {"commune": data.territories.communes, "epci": data.territories.layers["epci"],
              "departement": data.territories.layers["departements"]}
    for kind, layer in layers.items():
        bounds = layer.geometry.bounds.round(BBOX_DECIMALS)
        for code, (minx, miny, maxx, maxy) in zip(layer["code"], bounds.itertuples(index=False), strict=True):
            out[f"{kind}:{code}"] = [miny, minx, maxy, maxx]
    return out


def search_index(data: Dataset) -> dict:
    """{"kinds": labels, "themes": labels, "entries": [[label, kind, target, keys, …], …]}
    in the order equal matches are shown (communes, EPCI, departments by population, then
    projects): `target` a typed code or a project id; then the place's [south, west, north,
    east] and (first) department — the file of its summary —, or the project's theme."""
    gazetteer = data.territories.memo("search-gazetteer", lambda: Gazetteer(
        data.territories, [], load_aliases(), read_former_communes(data.files)))
    postal = postal_codes(data)
    bboxes = _bboxes(data)
    places = []
    for typed, keys in gazetteer.search_keys().items():
        territory = data.territories.get(typed)
        words = set(keys) | set(postal.get(territory.code, []) if territory.kind == "commune" else [])
        places.append((KIND_ORDER.index(territory.kind), -territory.population, territory.label,
                       [territory.label, territory.kind, typed, sorted(words), bboxes[typed],
                        territory.departements[0]]))
    entries = [entry for *_, entry in sorted(places)]
    for project in data.projects:
        keys = {normalize(project.titre), *(normalize(p) for p in project.porteur.split(";") if p.strip())}
        entries.append([project.titre, "projet", project.id, sorted(k for k in keys if k), project.theme])
    return {"kinds": KIND_LABELS, "themes": {t.slug: t.court for t in THEMES}, "entries": entries}
