"""Folium map composition: elements of our own and the function that assembles the map."""
