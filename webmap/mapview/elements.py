"""Small Folium elements with their own templates, for what Folium has no element for.

branca renders each element's script once, then compiles that output as a new Jinja
template (`Element(rendered_text)`) and renders it again: whatever text an element writes
is template *source*. So no element here carries data from the project file: the projects
travel in the page's JSON data island (see `build.MapData`), and these elements only name
it by keys that the code defines (theme slugs). The behaviour lives in `static/webmap.js`.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template


class RemotePolygons(Layer):
    """Polygons fetched in webmap's binary format and drawn on the map's polygon canvas
    (static/polygons.js): choropleths, outlines and zones."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = WebMap.polygonLayer({{ this.url|tojson }}, {{ this.opts|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, url: str, name: str, opts: dict, show: bool = True, control: bool = True):
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "RemotePolygons"
        self.url = url
        self.opts = {"label": name, **opts}  # names come from the code, never from the data


class ProjectMarkers(MacroElement):
    """The markers of one theme (read from the data island by WebMap.addProjects), added to
    their parent FeatureGroup."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        WebMap.addProjects({{ this._parent.get_name() }}, {{ this.theme|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, theme: str):
        super().__init__()
        self._name = "ProjectMarkers"
        self.theme = theme


class MapSetup(MacroElement):
    """Registers the map and sets its initial view (added first, before any layer)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        WebMap.setMap({{ this._parent.get_name() }}, {{ this.center|tojson }});
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        WebMap.fitBounds({{ this.bounds|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, center, bounds):
        super().__init__()
        self._name = "MapSetup"
        self.center = list(center)
        self.bounds = bounds


class ProjectOpener(MacroElement):
    """Added last: applies the page's view (choropleth, themes, focus, legend; see
    WebMap.start), registers the region-wide projects, opens the project the URL names and
    starts the readiness signal. The layer control is handed over, so the browser can list
    the choropleth it draws."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        WebMap.start({{ this.control.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, control):
        super().__init__()
        self._name = "ProjectOpener"
        self.control = control
