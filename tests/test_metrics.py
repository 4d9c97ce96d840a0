"""Choropleth metrics and class breaks on the toy region (hand-checked) and the real data."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
from toy import project, toy_territories

from webmap.analysis.classify import classify
from webmap.analysis.metrics import compute_metrics, served_communes


def toy_projects():
    return [
        project("p1", "alimentation", ("commune:02001",), lieu="02001"),
        project("p2", "alimentation", ("epci:222222222",)),
        project("p3", "droits", ("departement:02",)),
        project("p4", "droits", ("region:32",)),
    ]


def test_served_communes_expands_territories():
    t = toy_territories()
    served = served_communes(toy_projects(), t)
    assert sorted(served[served["id"] == "p2"]["commune"]) == ["02003", "59001"]
    assert sorted(served[served["id"] == "p3"]["commune"]) == ["02001", "02002", "02003"]


def test_counts_per_level_hand_checked():
    t = toy_territories()
    communes = compute_metrics(toy_projects(), t, "commune").table
    assert communes["projets"].to_dict() == {"02001": 2, "02002": 1, "02003": 2, "59001": 1}
    # 2 projects for 1,000 inhabitants = 200 per 100,000
    assert communes.loc["02001", "projets_100k"] == 200
    deps = compute_metrics(toy_projects(), t, "departement")
    assert deps.table["projets"].to_dict() == {"02": 3, "59": 1}
    assert deps.regionwide == 1  # p4 is reported apart, not counted
    epci = compute_metrics(toy_projects(), t, "epci", theme="alimentation").table
    assert epci["projets"].to_dict() == {"111111111": 1, "222222222": 1}


def test_funding_uses_published_amounts_only():
    t = toy_territories()
    unpublished = compute_metrics(toy_projects(), t, "departement")
    assert unpublished.table["financement"].isna().all()
    assert unpublished.amounts_published == 0
    projects = toy_projects() + [project("p5", "insertion", ("commune:02002",), montant=Decimal("27500"))]
    published = compute_metrics(projects, t, "departement")
    assert published.table.loc["02", "financement"] == 27500
    assert np.isnan(published.table.loc["59", "financement"])


def test_classify_zero_apart_and_no_data():
    legend, colors = classify(pd.Series([0, 0, 1, 2, 3, 10, 11, 12]), "t", "projet(s)")
    assert legend.classes[0].label == "0 projet(s)"
    assert colors.iloc[0] == colors.iloc[1] != colors.iloc[2]
    assert colors.iloc[7] == legend.classes[-1].color
    empty, _ = classify(pd.Series([np.nan, np.nan]), "t", "€")
    assert empty.no_data and empty.classes == []


def test_real_data_every_commune_counted(territories, files):
    from webmap.projects.store import load_projects

    projects = load_projects(files.projects)
    result = compute_metrics(projects, territories, "commune")
    assert len(result.table) == 3782
    assert result.regionwide == 13
    assert (result.table["projets"] >= 1).all()  # every department has a departmental project
