"""The national scenario: every commune of metropolitan France from the same reference
source, and 2,610 synthetic projects (the national number of applications) spread over them.

Built once into bench/.cache/national (a data folder the app can serve: WEBMAP_DATA_DIR).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from webmap.projects.csvio import write_csv_text
from webmap.projects.schema import CANONICAL_COLUMNS, THEMES
from webmap.reference.build import (
    build_layers,
    default_inputs,
    geojson_text,
    load_sources,
)
from webmap.reference.files import REGION_FILE, ReferenceFiles

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache" / "national"
PROJECTS = 2610
SEED = 2021


def metropolitan_departements(src: dict) -> tuple[str, ...]:
    return tuple(sorted(d["code"] for d in src["et_departements"] if d.get("zone") == "metro"))


def synthetic_projects(communes, n: int = PROJECTS, seed: int = SEED) -> list[dict[str, str]]:
    """Projects placed on communes drawn with probability proportional to population."""
    rng = random.Random(seed)
    weights = [max(int(p), 1) for p in communes["population"]]
    rows = communes[["code", "departement", "epci"]].to_dict("records")
    chosen = rng.choices(rows, weights=weights, k=n)
    shares = [t.attendu for t in THEMES]
    out = []
    for i, commune in enumerate(chosen, start=1):
        theme = rng.choices(THEMES, weights=shares)[0]
        draw = rng.random()
        if draw < 0.6:
            territoires, lieu, precision, echelle = f"commune:{commune['code']}", commune["code"], "commune", "local"
        elif draw < 0.9 and commune["epci"]:
            territoires, lieu, precision, echelle = f"epci:{commune['epci']}", "", "epci", "local"
        else:
            territoires, lieu, precision, echelle = (f"departement:{commune['departement']}", "",
                                                     "departement", "departemental")
        out.append({
            "id": f"nat-{i:04d}", "titre": f"Projet synthétique n° {i}", "porteur": "Association",
            "theme": theme.slug, "echelle": echelle, "departements": commune["departement"],
            "territoires": territoires, "lieu": lieu, "precision": precision,
            "aller_vers": "true" if rng.random() < 0.25 else "false", "zone_blanche": "false",
            "montant_eur": "", "description": "Projet tiré au hasard pour mesurer le passage à l'échelle.",
            "lieux_cites": "", "source": "synthétique", "note": "",
        })
    return out


def build(force: bool = False) -> Path:
    files = ReferenceFiles(CACHE)
    if files.projects.exists() and (CACHE / REGION_FILE).exists() and not force:
        return CACHE
    src = load_sources(default_inputs(REPO))
    departements = metropolitan_departements(src)
    layers = build_layers(src, departements, with_cantons=False, strict=False)
    CACHE.mkdir(parents=True, exist_ok=True)
    # The folder's region (webmap.reference.files.read_region): its projects may name any
    # metropolitan department; "FX", ISO 3166's code for metropolitan France.
    (CACHE / REGION_FILE).write_text(json.dumps({"code": "FX", "nom": "France métropolitaine",
                                                 "departements": list(departements)}, ensure_ascii=False),
                                     encoding="utf-8")
    for name, gdf in layers.items():
        files.layer(name).write_text(geojson_text(gdf), encoding="utf-8")
    files.outside_names.write_text("type,code,nom,departement\n", encoding="utf-8")
    rows = synthetic_projects(layers["communes"])
    files.projects.write_text(write_csv_text(CANONICAL_COLUMNS, rows), encoding="utf-8")
    return CACHE


if __name__ == "__main__":
    print(build(force=True))
