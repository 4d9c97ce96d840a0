"""Page weight and time to an interactive map, measured in headless Chromium.

Bytes: the body of every response the page loads until the map is interactive, raw and
gzip-compressed (level 6, what a server would send), whichever server sent it.
Time: `performance.now()` (from navigation start) when the page's readiness condition first
holds, polled on animation frames; median of several cold runs (new browser context).
"""

from __future__ import annotations

import gzip
import statistics
from dataclasses import dataclass

from webmap.web.chromium import launch_chromium


@dataclass
class PageMeasure:
    name: str
    requests: int
    raw_bytes: int
    gzip_bytes: int
    tti_ms: list[float]
    foreign: list[str]

    @property
    def tti_median(self) -> float:
        return statistics.median(self.tti_ms)


def measure_page(browser, name: str, url: str, ready_js: str, runs: int,
                 viewport=(1280, 800), after_ready: str | None = None,
                 timeout_ms: int = 180_000) -> PageMeasure:
    times: list[float] = []
    bodies: dict[str, bytes] = {}
    foreign: list[str] = []
    origin = "/".join(url.split("/")[:3])
    for run in range(runs):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        page = context.new_page()
        responses = []
        if run == 0:
            page.on("response", lambda r: responses.append(r))
            page.on("request", lambda r: (not r.url.startswith((origin, "data:", "blob:")))
                    and foreign.append(r.url))
        page.goto(url, wait_until="commit", timeout=timeout_ms)
        try:
            handle = page.wait_for_function(
                f"() => ({ready_js}) ? performance.now() : false", polling="raf", timeout=timeout_ms)
            times.append(float(handle.json_value()))
        except Exception:  # never interactive within the limit: recorded as such
            times.append(float("inf"))
        if after_ready:
            page.evaluate(after_ready)
            page.wait_for_timeout(1500)
        if run == 0:
            page.wait_for_timeout(300)
            for response in responses:
                try:
                    bodies[response.url] = response.body()
                except Exception:  # redirects and aborted requests have no body
                    bodies.setdefault(response.url, b"")
        context.close()
    raw = sum(len(b) for b in bodies.values())
    compressed = sum(len(gzip.compress(b, 6)) if b else 0 for b in bodies.values())
    return PageMeasure(name, len(bodies), raw, compressed, times, foreign)


def launch(playwright):
    return launch_chromium(playwright)
