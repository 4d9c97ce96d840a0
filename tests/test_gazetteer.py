"""Gazetteer: place names as people write them -> typed codes of the region."""

from __future__ import annotations

import pytest
from conftest import run_cli

from webmap.places.gazetteer import normalize, split_kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Château-Thierry", "chateau thierry"),
        ("L’Épine-aux-Bois", "l epine aux bois"),
        ("St-Quentin", "saint quentin"),
        ("Ste Catherine", "sainte catherine"),
        ("Cœur d'Ostrevent", "coeur d ostrevent"),
        ("Rozoy s/ Serre", "rozoy sur serre"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_split_kind_prefixes():
    assert split_kind(normalize("CC de la Picardie Verte")) == ("epci", "picardie verte")
    assert split_kind(normalize("Communauté d'agglomération du Beauvaisis")) == ("epci", "beauvaisis")
    assert split_kind(normalize("arrondissement de Boulogne")) == ("arrondissement", "boulogne")
    assert split_kind(normalize("Laon")) == (None, "laon")


PRESS_KIT_NAMES = {
    "Château-Thierry": "commune:02168",
    "Rozoy sur Serre": "commune:02666",
    "La Capelle": "commune:02141",
    "la capelle": "commune:02141",
    "Guise": "commune:02361",
    "Saint Quentin": "commune:02691",
    "St-Quentin": "commune:02691",
    "Bohain-en-Vermandois": "commune:02095",
    "Le Cateau-Cambrésis": "commune:59136",
    "Cateau-Cambrésis": "commune:59136",
    "Les Rues-des-Vignes": "commune:59517",
    "L’Épine-aux-Bois": "commune:02281",
    "Douaisis Agglo": "epci:200044618",
    "Amiens Métropole": "epci:248000531",
    "agglomération d'Amiens Métropole": "epci:248000531",
    "Flandre Intérieure": "epci:200040947",
    "Communauté de communes de Cassel": "epci:200040947",
    "CC Somme Sud-Ouest": "epci:200071181",
    "Communauté de Communes Somme Sud-Ouest": "epci:200071181",
    "communauté de communes Cœur d'Ostrevent": "epci:245901152",
    "Communauté urbaine de Dunkerque": "epci:245900428",
    "Communauté de commune des Hauts de Flandres": "epci:200040954",
    "Métropole Européenne de Lille": "epci:200093201",
    "Communauté d'agglomération du Beauvaisis": "epci:200067999",
    "Picardie Verte": "epci:246000848",
    "agglomération Creilloise": "epci:200068047",
    "arrondissement de Boulogne": "arrondissement:623",
    "arrondissement de Montreuil": "arrondissement:624",
    "ex-canton de Nanteuil-le-Haudouin": "canton:6015",
    "Somme": "departement:80",
    "département du Nord": "departement:59",
    "Pas-de-Calais": "departement:62",
    "Hauts-de-France": "region:32",
    "Cassel": "commune:59135",
    "Dunkerque": "commune:59183",
}


@pytest.mark.parametrize(("name", "typed"), sorted(PRESS_KIT_NAMES.items()))
def test_press_kit_names_resolve(gazetteer, name, typed):
    resolution = gazetteer.resolve(name)
    assert resolution.status == "ok", resolution.message
    assert resolution.place.typed_code == typed


def test_former_epci_names_say_so(gazetteer):
    place = gazetteer.resolve("Communauté de communes de Cassel").place
    assert "Cœur de Flandre" in place.note and "2014" in place.note
    assert "ancien" in gazetteer.resolve("Flandre Intérieure").place.note
    assert gazetteer.resolve("Douaisis Agglo").place.note == ""


def test_homonyms_are_ambiguous_and_department_disambiguates(gazetteer):
    resolution = gazetteer.resolve("Bailleul")
    assert resolution.status == "ambiguous"
    assert {p.typed_code for p in resolution.places} == {"commune:59043", "commune:80051"}
    assert "Bailleul (59)" in resolution.message and "Bailleul (80)" in resolution.message
    assert gazetteer.resolve("Bailleul (80)").place.typed_code == "commune:80051"
    assert gazetteer.resolve("Bailleul", departement="59").place.typed_code == "commune:59043"


def test_outside_region_rejected(gazetteer):
    resolution = gazetteer.resolve("Marseille")
    assert resolution.status == "outside"
    assert "hors de la région" in resolution.message
    assert gazetteer.resolve("Lille (13)").status == "outside"
    assert gazetteer.resolve("Bouches-du-Rhône").status == "outside"


def test_unknown_with_suggestion(gazetteer):
    resolution = gazetteer.resolve("Lile")
    assert resolution.status == "unknown"
    assert "inconnu" in resolution.message and "Lille (59)" in resolution.message
    assert gazetteer.resolve("   ").status == "unknown"


def test_aliases_point_to_existing_territories(gazetteer):
    from webmap.places.gazetteer import load_aliases

    for alias in load_aliases():
        assert gazetteer.territories.get(alias["cible"]) is not None, alias


def test_cli_resolve_unique():
    result = run_cli("resolve", "Rozoy sur Serre")
    assert result.returncode == 0
    assert result.stdout.startswith("commune:02666\tRozoy-sur-Serre (02)")


def test_cli_resolve_ambiguous_lists_candidates():
    result = run_cli("resolve", "Bailleul")
    assert result.returncode == 1
    assert "ambigu" in result.stderr
    assert "commune:59043" in result.stdout and "commune:80051" in result.stdout
    assert run_cli("resolve", "Bailleul", "--departement", "80").stdout.startswith("commune:80051")


def test_cli_resolve_unknown_and_outside_messages():
    unknown = run_cli("resolve", "Nullepart-sur-Rien")
    assert unknown.returncode == 1 and "inconnu" in unknown.stderr and "Traceback" not in unknown.stderr
    outside = run_cli("resolve", "Marseille")
    assert outside.returncode == 1 and "hors de la région" in outside.stderr


FORMER_COMMUNES = {
    "Hesdin": "commune:62447",  # Hesdin-la-Forêt: communes déléguées
    "Marconne": "commune:62447",
    "Huby-Saint-Leu": "commune:62447",
    "Sainte-Austreberthe": "commune:62447",
    "Amfroipret": "commune:59006",  # L'Orée de Mormal
    "Bermeries": "commune:59006",
    "Bussus-Bussuel": "commune:80155",  # Bussus-lès-Yaucourt
    "Yaucourt-Bussus": "commune:80155",
    "Filain": "commune:02589",  # Pargny-et-Filain (codes-postaux: merged code 02311)
    "Pargny-Filain": "commune:02589",
    "Lambres": "commune:62486",  # renamed Lambres-lez-Aire (codes-postaux's older name)
    "Lomme": "commune:59350",  # commune associée of Lille
}


@pytest.mark.parametrize(("name", "typed"), sorted(FORMER_COMMUNES.items()))
def test_former_communes_resolve_to_today_with_a_note(gazetteer, name, typed):
    resolution = gazetteer.resolve(name)
    assert resolution.status == "ok", resolution.message
    place = resolution.place
    assert place.typed_code == typed
    assert place.note.startswith("ancien") and f"aujourd'hui {place.territory.nom}" in place.note
    assert not place.approximate


def test_former_name_shared_with_a_current_commune_is_ambiguous(gazetteer):
    # Menneville (02) is a commune déléguée of Guignicourt, Menneville (62) a commune today.
    for name, former, current in (("Menneville", "commune:02360", "commune:62566"),
                                  ("Wailly", "commune:80211", "commune:62869")):
        resolution = gazetteer.resolve(name)
        assert resolution.status == "ambiguous", name
        assert {p.typed_code for p in resolution.places} == {former, current}
        assert gazetteer.resolve(name, departement=former[8:10]).place.typed_code == former
        assert gazetteer.resolve(f"{name} ({current[8:10]})").place.typed_code == current
        assert gazetteer.resolve(f"{name} ({current[8:10]})").place.note == ""


POSTAL_SPELLINGS = {
    ("SAINT-QUENTIN-LAMOTTE-CROIX-", "80"): "commune:80714",
    ("MONTREUIL", "62"): "commune:62588",
    ("SAINT-ANDRE", "59"): "commune:59527",
    ("BLAINCOURT", "60"): "commune:60074",
    ("BARISIS", "02"): "commune:02049",
    ("BAILLEUL SIRE BERTHOULT", "62"): "commune:62073",
    ("GAUCHIN LE GAL", "62"): "commune:62366",
    ("LAMBRES LEZ DOUAI", "59"): "commune:59329",
    ("SAINT QUENTIN LA MOTTE CROIX AU", "80"): "commune:80714",  # cut at 32 characters
    ("HUBY SAINT LEU", "62"): "commune:62447",  # postal name of a commune since merged
}


@pytest.mark.parametrize(("name", "departement", "typed"),
                         [(n, d, t) for (n, d), t in sorted(POSTAL_SPELLINGS.items())])
def test_postal_spellings_resolve_as_approximate(gazetteer, name, departement, typed):
    resolution = gazetteer.resolve(name, departement=departement)
    assert resolution.status == "ok", resolution.message
    assert resolution.place.typed_code == typed
    if resolution.approximate:
        assert resolution.place.note.startswith("correspondance approchée")
    assert gazetteer.resolve(f"{name} ({departement})").place.typed_code == typed


def test_postal_spellings_need_the_department_and_stay_ambiguous(gazetteer):
    assert gazetteer.resolve("MONTREUIL").status == "outside"  # Montreuil (93…), not a guess
    assert gazetteer.resolve("BLAINCOURT").status == "unknown"
    resolution = gazetteer.resolve("BAILLEUL", departement="62")  # three Bailleul-… in 62
    assert resolution.status == "ambiguous"
    assert {p.typed_code for p in resolution.places} == {"commune:62070", "commune:62071", "commune:62073"}
    assert "précisez le nom complet" in resolution.message
    assert gazetteer.resolve("MONTREUIL", departement="80").status != "ok"


def _every_commune_spelling(gazetteer, files, spell):
    """{spelling outcome: count}; fails on any spelling resolved to another commune's code."""
    import csv
    import unicodedata

    with open(files.postal_codes, encoding="utf-8", newline="") as handle:
        postal = {row["code"]: row["noms_postaux"].split(";") for row in csv.DictReader(handle)}
    counts = {"ok": 0, "approximate": 0, "ambiguous": 0}
    wrong = []
    communes = [t for t in gazetteer.territories.by_code.values() if t.kind == "commune"]
    for territory in communes:
        plain = "".join(ch for ch in unicodedata.normalize("NFKD", territory.nom)
                        if not unicodedata.combining(ch)).upper()
        names = {"official": [territory.nom], "postal": postal[territory.code], "cut": [plain[:32]]}[spell]
        for name in names:
            resolution = gazetteer.resolve(name, departement=territory.departements[0])
            codes = {p.typed_code for p in resolution.places}
            if territory.typed_code not in codes or (resolution.ok and len(codes) != 1):
                wrong.append((name, territory.typed_code, resolution.status, sorted(codes)))
                continue
            counts["ambiguous" if not resolution.ok else "approximate" if resolution.approximate else "ok"] += 1
    assert not wrong, wrong[:20]
    return counts


# Official name; each name La Poste writes (3 793, from codes-postaux 4.1.2: 37 differ enough
# to be read approximately, e.g. MONTREUIL); the official name in capitals without accents,
# cut at 32 characters (only Saint-Quentin-la-Motte-Croix-au-Bailly is longer).
EVERY_COMMUNE_COUNTS = {
    "official": {"ok": 3782, "approximate": 0, "ambiguous": 0},
    "postal": {"ok": 3756, "approximate": 37, "ambiguous": 0},
    "cut": {"ok": 3781, "approximate": 1, "ambiguous": 0},
}


@pytest.mark.parametrize("spell", sorted(EVERY_COMMUNE_COUNTS))
def test_every_commune_resolves_from_each_spelling_to_itself_or_an_honest_ambiguity(gazetteer, files, spell):
    assert _every_commune_spelling(gazetteer, files, spell) == EVERY_COMMUNE_COUNTS[spell]


def test_every_alias_has_a_source_and_former_territories_say_what_stands_in_for_them():
    """A former territory resolves to its historical composition when a source gives it;
    none is available offline for the two of the press kit, so the alias says so."""
    from webmap.places.gazetteer import load_aliases

    aliases = load_aliases()
    assert all(alias["source"].strip() for alias in aliases), "colonne source vide"
    former = {a["alias"]: a for a in aliases if "ancien" in a["note"] and "avant 20" in a["note"]}
    assert set(former) == {"Communauté de communes de Cassel", "Communauté de communes du Pays de Cassel",
                           "ex-canton de Nanteuil-le-Haudouin"}
    for alias in former.values():
        assert "non disponible hors ligne" in alias["note"] and "approximatif" in alias["note"]
        assert "aucune source hors ligne" in alias["source"]
