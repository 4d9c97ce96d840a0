"""Choropleth metrics and class breaks on the toy region (hand-checked) and the real data."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
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


def _least_squares_partition(values, k):
    """Brute force: every way to cut the sorted values into k contiguous classes."""
    from itertools import combinations

    x = sorted(values)

    def cost(part):
        mean = sum(part) / len(part)
        return sum((v - mean) ** 2 for v in part)

    best = None
    for cuts in combinations(range(1, len(x)), k - 1):
        bounds = (0, *cuts, len(x))
        parts = [x[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        total = sum(cost(p) for p in parts)
        if best is None or total < best[0] - 1e-9:
            best = (total, [p[-1] for p in parts])
    return best


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=10), st.integers(2, 5))
def test_fisher_jenks_finds_the_least_squares_classes(values, k):
    from webmap.analysis.classify import fisher_jenks

    k = min(k, len(set(values)))
    total, _ = _least_squares_partition(values, k)
    bounds = fisher_jenks(values, k)
    x = sorted(values)
    # Its classes, read back from the upper bounds, reach the brute force's least total.
    cuts = [0] + [max(i + 1 for i, v in enumerate(x) if v <= b) for b in bounds]
    parts = [x[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    assert all(parts) and sum(len(p) for p in parts) == len(x)
    assert sum(sum((v - sum(p) / len(p)) ** 2 for v in p) for p in parts) <= total + 1e-6


def test_fisher_jenks_hand_checked_and_precise_on_large_values():
    from webmap.analysis.classify import fisher_jenks

    assert fisher_jenks([1, 2, 3, 10, 11, 12, 30, 31], 3) == [3.0, 12.0, 31.0]
    assert fisher_jenks([5, 5, 5], 1) == [5.0]
    # Large mean, small spread: sums in float32 would lose the classes (mapclassify did).
    base = 1_000_000.0
    assert fisher_jenks([base + d for d in (0, 1, 2, 50, 51, 52, 100, 101)], 3) == [base + 2, base + 52, base + 101]
    with pytest.raises(ValueError):
        fisher_jenks([1, 2], 3)
