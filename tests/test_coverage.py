"""Coverage gaps: hand-checked on the toy region, invariants on the real data, CLI = page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import make_app, run_cli
from toy import project, toy_territories

from webmap.analysis.coverage import commune_coverage, project_sites, region_summary, summarize
from webmap.projects.store import load_projects


def toy_projects():
    return [
        project("local-a", "alimentation", ("commune:02001",), lieu="02001"),
        project("dep-02", "alimentation", ("departement:02",)),
        project("region", "alimentation", ("region:32",)),
        project("epci-2", "droits", ("epci:222222222",)),
    ]


def test_toy_commune_coverage():
    table = commune_coverage(toy_projects(), toy_territories(), "alimentation")
    assert table["couverte"].to_dict() == {"02001": True, "02002": False, "02003": False, "59001": False}
    assert table.loc["02002", "projets_departemental"] == "dep-02"
    assert table.loc["59001", "projets_departemental"] == ""
    assert table.loc["59001", "projets_regional"] == "region"
    # Squares 10 km wide in a row: centres are 10, 20, 30 km from A's centre.
    assert table["distance_km"].round(3).to_dict() == {"02001": 0.0, "02002": 10.0, "02003": 20.0, "59001": 30.0}


def test_toy_sites_are_the_named_commune_or_the_served_area():
    sites = project_sites(toy_projects(), toy_territories())
    assert sorted(map(tuple, sites.values.tolist())) == [
        ("epci-2", "02003"), ("epci-2", "59001"), ("local-a", "02001")]


def test_toy_aggregates_hand_checked():
    t = toy_territories()
    table = commune_coverage(toy_projects(), t, "alimentation")
    by_epci = summarize(table, "epci", t).set_index("code")
    e1 = by_epci.loc["111111111"]
    assert (e1["communes"], e1["population"]) == (2, 4000)
    assert (e1["communes_non_couvertes"], e1["population_non_couverte"]) == (1, 3000)
    assert e1["part_population_non_couverte"] == pytest.approx(0.75)
    # population-weighted: (1000 * 0 + 3000 * 10) / 4000 = 7.5 km
    assert e1["distance_moyenne_km"] == pytest.approx(7.5)
    by_dep = summarize(table, "departement", t)
    assert list(by_dep["code"]) == ["02", "59"]  # sorted by uncovered population: 3500, 500
    region = region_summary(table, "alimentation")
    assert (region.population, region.population_non_couverte, region.communes_non_couvertes) == (5000, 4000, 3)


def test_toy_theme_without_local_project_has_no_distance():
    table = commune_coverage(toy_projects(), toy_territories(), "insertion")
    assert not table["couverte"].any() and table["distance_km"].isna().all()


@pytest.fixture(scope="module")
def real_projects(files):
    return load_projects(files.projects)


@pytest.mark.parametrize("theme", ["alimentation", "droits", "insertion"])
def test_real_data_invariants(territories, real_projects, theme):
    table = commune_coverage(real_projects, territories, theme)
    total = int(territories.communes["population"].sum())
    covered = int(table.loc[table["couverte"], "population"].sum())
    uncovered = int(table.loc[~table["couverte"], "population"].sum())
    assert covered + uncovered == total
    by_dep = summarize(table, "departement", territories)
    assert int(by_dep["population_non_couverte"].sum()) == uncovered
    assert int(summarize(table, "epci", territories)["population_non_couverte"].sum()) == uncovered
    for p in real_projects:
        if p.theme == theme and p.lieu and p.commitment == "local":
            assert table.loc[p.lieu, "distance_km"] == 0, p.id
            assert bool(table.loc[p.lieu, "couverte"]) is (p.lieu in {
                c for t in p.territoires for c in territories.communes_of(t)}), p.id
    assert (table["distance_km"] >= 0).all()


def test_named_sites_are_covered(territories, real_projects):
    table = commune_coverage(real_projects, territories, "alimentation")
    assert table.loc["62215", "couverte"]  # Carvin
    assert table.loc["62215", "distance_km"] == 0
    assert table.loc["02666", "couverte"]  # Rozoy-sur-Serre, on the Bus Accs'Aisne route


def run_gaps(*args):
    result = run_cli("gaps", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cli_table_gives_region_departments_and_worst_epci():
    out = run_gaps()
    for theme in ("Alimentation et biens essentiels", "Accès aux droits et isolement", "Prévention et insertion"):
        assert theme + " :" in out
    assert out.count("EPCI le plus concerné") == 3
    for dep in ("Aisne", "Nord", "Oise", "Pas-de-Calais", "Somme"):
        assert out.count(dep) >= 3


def test_cli_csv_schema_and_sums(territories):
    rows = list(csv.DictReader(io.StringIO(run_gaps("--theme", "droits", "--by", "departement", "--format", "csv"))))
    assert list(rows[0]) == ["code", "nom", "communes", "population", "communes_non_couvertes",
                             "population_non_couverte", "part_population_non_couverte", "distance_moyenne_km"]
    assert sum(int(r["communes"]) for r in rows) == 3782
    assert sum(int(r["population"]) for r in rows) == int(territories.communes["population"].sum())
    uncovered = [int(r["population_non_couverte"]) for r in rows]
    assert uncovered == sorted(uncovered, reverse=True)
    every = list(csv.DictReader(io.StringIO(run_gaps("--by", "epci", "--format", "csv"))))
    assert list(every[0])[0] == "theme" and len(every) == 3 * 92


def test_cli_commune_rows_show_nominal_coverage():
    rows = list(csv.DictReader(io.StringIO(run_gaps("--theme", "insertion", "--by", "commune", "--format", "csv"))))
    assert len(rows) == 3782 and all(r["communes"] == "1" for r in rows)
    lille = next(r for r in rows if r["code"] == "59350")
    assert lille["projets_local"] == "" and "hdf-2021-53" in lille["projets_departemental"]


def test_cli_json_matches_couverture_page(files):
    cli = json.loads(run_gaps("--theme", "alimentation", "--by", "epci", "--format", "json"))
    client = make_app().test_client()
    web = client.get("/couverture.json?theme=alimentation&par=epci").get_json()
    assert web == cli
    page = client.get("/couverture?theme=alimentation").get_data(as_text=True)
    worst = cli["themes"][0]["epci_le_plus_concerne"]
    assert worst["nom"] in page
    pop = f"{worst['population_non_couverte']:,}".replace(",", "\u202f")
    assert pop in page
    region = cli["themes"][0]["region"]
    assert f"{region['population_non_couverte']:,}".replace(",", "\u202f") in page


def test_couverture_page_tables_and_400(files):
    client = make_app().test_client()
    html = client.get("/couverture?theme=droits&tri=nom").get_data(as_text=True)
    assert html.count("<tr>") == 5 + 92 + 2
    assert "Règles de calcul" in html and "indicateur=distance" in html
    assert client.get("/couverture?theme=culture").status_code == 400
    assert client.get("/couverture.csv?par=canton").status_code == 400
    uncovered = client.get("/donnees/couverture/droits.json").get_json()
    assert uncovered["62215"][0] == 17909  # Carvin: no local "droits" project


def test_cli_usage_errors_are_in_french():
    result = run_cli("gaps", "--theme", "x")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "erreur : argument --theme : choix invalide : 'x' (choisir parmi 'alimentation'" in result.stderr
    assert result.stderr.startswith("usage : ")
    missing = run_cli()
    assert "arguments obligatoires manquants : COMMANDE" in missing.stderr


def _table_after(html: str, anchor: str) -> tuple[str, list[tuple[str, str]], list[list[str]]]:
    """The caption, the header cells (attributes, text) and the rows of the table under the
    heading `anchor`."""
    import html as html_module
    import re

    start = html.index(f'id="{anchor}"')
    table = html[html.index("<table", start):html.index("</table>", start)]
    caption = html_module.unescape(re.search(r"<caption>(.*?)</caption>", table, re.S).group(1))
    head = re.findall(r'<th scope="col"([^>]*)>(.*?)</th>', table, re.S)
    rows = [[html_module.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in
             re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)]
    return caption, head, rows


def _number(cell: str) -> float:
    """A figure as the page writes it: « 12 345 », « 12,3 % », « 4,5 »."""
    return float(cell.replace("\u202f", "").replace("\xa0", "").replace(" ", "").rstrip("%").replace(",", "."))


def test_every_sort_link_of_the_coverage_pages_answers_and_sorts(files):
    """Each column header of both tables of each theme's page is a link that sorts the
    table by that column: names and codes in alphabetical order (case and accents aside),
    figures from the largest, ties by code."""
    import html as html_module
    import re
    import unicodedata

    from webmap.analysis.coverage import SUMMARY_COLUMNS
    from webmap.analysis.coverage_report import HEADERS
    from webmap.projects.schema import THEMES

    def alphabetical(text: str) -> str:
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
        text = text.casefold().replace("œ", "oe").replace("æ", "ae")
        return re.sub(r"[^a-z0-9]+", " ", text).strip()

    client = make_app().test_client()
    column_of = {header: column for column, header in HEADERS.items()}
    followed = 0
    for theme in THEMES:
        page = client.get(f"/couverture/{theme.slug}")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        for by in ("departement", "epci"):
            _, head, _ = _table_after(html, f"par-{by}")
            links = [re.fullmatch(r'<a href="([^"]+)">([^<]+)</a>', text.strip()) for _, text in head]
            assert all(links) and len(links) == len(SUMMARY_COLUMNS), head
            for link in links:
                href, header = html_module.unescape(link.group(1)), html_module.unescape(link.group(2))
                column = column_of[header]
                path, _, anchor = href.partition("#")
                assert anchor == f"par-{by}"
                answer = client.get(path)
                assert answer.status_code == 200, f"{href}: {answer.status_code}"
                followed += 1
                caption, sorted_head, rows = _table_after(answer.get_data(as_text=True), anchor)
                assert f"triée par « {header} »" in caption
                index = list(SUMMARY_COLUMNS).index(column)
                marked = [i for i, (attributes, _) in enumerate(sorted_head) if "aria-sort" in attributes]
                assert marked == [index], href
                ascending = column in ("code", "nom")
                assert f'aria-sort="{"ascending" if ascending else "descending"}"' in sorted_head[index][0]
                assert len(rows) == 5 if by == "departement" else len(rows) > 5
                if ascending:
                    keys = [alphabetical(row[index]) for row in rows]
                    assert keys == sorted(keys), f"{href}: {[row[index] for row in rows][:5]}…"
                    continue
                # Figures from the largest; equal counts (exact, unlike the rounded shares and
                # distances) by code.
                keys = [(-_number(row[index]), row[0]) for row in rows]
                if column in ("communes", "population", "communes_non_couvertes", "population_non_couverte"):
                    assert keys == sorted(keys), f"{href}: {keys[:8]}…"
                else:
                    assert [k[0] for k in keys] == sorted(k[0] for k in keys), f"{href}: {keys[:8]}…"
    assert followed == len(THEMES) * 2 * len(SUMMARY_COLUMNS)
