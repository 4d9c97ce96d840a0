"""Property-based tests: any CSV or URL yields a result or a clear error, never a crash."""

from __future__ import annotations

import string

import pytest
from conftest import make_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webmap.projects.importer import import_file

PROFILE = settings(max_examples=40, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
place_names = st.sampled_from(["Laon", "Bailleul", "Marseille", "Somme", "Hauts-de-France", "", "CC de Cassel",
                               "Nulle;Part", "Amiens Métropole (80)", "Bailleul (13)"])


@PROFILE
@given(raw=st.binary(max_size=400))
def test_any_bytes_give_rows_or_located_errors(tmp_path, files, gazetteer, raw):
    source = tmp_path / "in.csv"
    source.write_bytes(raw)
    out = tmp_path / "out.csv"
    out.unlink(missing_ok=True)
    report = import_file(source, out, files, gazetteer)
    if report.errors:
        assert not out.exists()  # nothing written when anything is wrong
        assert all(e.line >= 0 and str(source) in e.format() for e in report.errors)
    else:
        assert out.exists() and len(report.rows) >= 1


@PROFILE
@given(rows=st.lists(st.tuples(cells, cells, st.sampled_from(["alimentation", "droits", "x", ""]) | cells,
                               place_names | cells, st.sampled_from(["", "59", "80", "13"]) | cells,
                               st.sampled_from(["oui", "non", "1", ""]) | cells,
                               st.sampled_from(["", "27 500 €", "-3", "1,5"]) | cells, cells),
                     min_size=1, max_size=5),
       delimiter=st.sampled_from([",", ";"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_any_rows_import_or_fail_cleanly(tmp_path, files, gazetteer, rows, delimiter, encoding):
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["titre", "porteur", "theme", "lieux", "departement", "aller_vers", "montant_eur", "description"])
    writer.writerows(rows)
    source = tmp_path / "in.csv"
    try:
        source.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:
        return  # not representable in Windows-1252: nobody can type it there
    out = tmp_path / "out.csv"
    out.unlink(missing_ok=True)
    report = import_file(source, out, files, gazetteer)
    if report.errors:
        assert not out.exists()
        assert all("ligne" in e.format() for e in report.errors)
    else:
        assert out.exists() and len(report.rows) == len(rows)


@pytest.fixture(scope="module")
def client(files):
    return make_app().test_client()


param_names = st.sampled_from(["niveau", "indicateur", "theme", "departement", "projet", "legende", "tri",
                               "hauteur", "par", "url", "format", "zzz"])
param_values = st.sampled_from(["commune", "epci", "departement", "projets", "distance", "droits",
                                "alimentation,droits", "80", "13", "hdf-2021-11", "non", "oui", "500", "0", "",
                                "<script>", "tous", "%00", "é"]) | st.text(alphabet=string.printable, max_size=12)


@PROFILE
@given(path=st.sampled_from(["/", "/embed", "/projets", "/couverture", "/integrer", "/oembed",
                             "/couverture.csv", "/couverture.json"]),
       params=st.dictionaries(param_names, param_values, max_size=4))
def test_any_url_parameters_give_a_page_or_a_400(client, path, params):
    response = client.get(path, query_string=params)
    assert response.status_code in (200, 400, 404, 501), response.status_code
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if response.status_code == 400:
        assert "Valeurs acceptées" in body or "incorrecte" in body
