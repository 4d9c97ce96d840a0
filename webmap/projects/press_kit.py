"""Figures published in the prefecture's press kit (2021), quoted on the map (the projects per
theme are in webmap.projects.schema.THEMES)."""

from webmap.projects.schema import THEMES

PROJECTS = sum(theme.attendu for theme in THEMES)  # 54
TOTAL_FUNDING_EUR = 6_600_000
TOTAL_FUNDING_LABEL = "6,6 M€"
APPLICATIONS_IN_REGION = 287
APPLICATIONS_NATIONAL = 2610
SOURCE_LABEL = "Dossier de presse de la préfecture de la région Hauts-de-France (2021)"
