"""Small Folium elements with their own templates, for what Folium has no element for.

Data reach the page through Jinja's `tojson` (HTML-safe JSON), never by string
concatenation; the behaviour lives in the served file `static/webmap.js`.
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
        self.opts = opts


class ProjectMarkers(MacroElement):
    """The markers of one theme, added to their parent FeatureGroup by WebMap.addProjects."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        WebMap.addProjects({{ this._parent.get_name() }}, {{ this.items|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, items: list[dict]):
        super().__init__()
        self._name = "ProjectMarkers"
        self.items = items


class MapSetup(MacroElement):
    """Registers the map and sets its initial view (added first, before any layer)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        WebMap.setMap({{ this._parent.get_name() }}, {{ this.center|tojson }});
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
    """Registers the region-wide projects and opens the requested one (added last)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        WebMap.addRegional({{ this.regional|tojson }});
        {% if this.open_project %}WebMap.openProject({{ this.open_project|tojson }});{% else %}WebMap.openFromUrl();{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, regional: list[dict], open_project: str | None = None):
        super().__init__()
        self._name = "ProjectOpener"
        self.regional = regional
        self.open_project = open_project
