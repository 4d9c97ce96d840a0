"""webmap: carte des projets du plan de soutien aux associations (Hauts-de-France)."""

__version__ = "0.1.0"
