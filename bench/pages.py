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


# One view switch inside the page: the next metric of CYCLE on <select id="indicateur">, a
# bubbling "change", then the time until <html data-ready> has been removed and set back to
# "1" (records with oldValue "1" catch a removal even when both changes come in one batch).
# Never removed within 2 s but "1": done, at the time observed. After 10 s: null. The start,
# as an absolute time, is kept in sessionStorage in case the switch reloads the page.
SWITCH_JS = """([cycle, settleMs, limitMs]) => new Promise((resolve) => {
  const root = document.documentElement, select = document.getElementById("indicateur");
  const next = cycle[(cycle.indexOf(select.value) + 1) % cycle.length];
  let removed = false, timers = [];
  const finish = (ms) => {
    observer.disconnect(); timers.forEach(clearTimeout);
    resolve({ms, reloaded: performance.getEntriesByType("navigation").length !== 1 || window.__benchMarker !== 1});
  };
  const observer = new MutationObserver((records) => {
    if (records.some((r) => r.oldValue === "1")) removed = true;
    if (removed && root.getAttribute("data-ready") === "1") finish(performance.now() - t0);
  });
  observer.observe(root, {attributes: true, attributeFilter: ["data-ready"], attributeOldValue: true});
  timers.push(setTimeout(() => { if (!removed && root.dataset.ready === "1") finish(performance.now() - t0); },
                         settleMs));
  timers.push(setTimeout(() => finish(null), limitMs));
  const t0 = performance.now();
  sessionStorage.setItem("benchSwitchStart", String(performance.timeOrigin + t0));
  select.value = next;
  select.dispatchEvent(new Event("change", {bubbles: true}));
})"""
SWITCH_CYCLE = ["projets", "projets_100k", "distance"]
READY_JS = "document.documentElement.dataset.ready === '1'"
# In the document that replaced the measured one: absolute time of readiness minus the start.
RELOADED_JS = (f"() => ({READY_JS} && window.__benchMarker === undefined) ? "
               "performance.timeOrigin + performance.now() - Number(sessionStorage.getItem('benchSwitchStart')) "
               ": false")


@dataclass
class SwitchMeasure:
    ms: list[float]  # one per switch; inf when it never completed within the limit
    reloads: int  # switches that replaced the page (timed until the new page is ready)
    error: str = ""  # the first failure, if any, for the report

    @property
    def median(self) -> float:
        return statistics.median(self.ms) if self.ms else float("inf")


def measure_switch(browser, url: str, runs: int, switches: int = 3, limit_ms: int = 10_000,
                   viewport=(1280, 800)) -> SwitchMeasure:
    """Time from a metric change on <select id="indicateur"> to <html data-ready="1"> again,
    `switches` times per cold run. The page must not reload: `__benchMarker` set before each
    switch must survive and there must be one navigation entry; a reload is counted and
    timed (start kept in sessionStorage) so the figure still compares. Never raises."""
    times: list[float] = []
    reloads, error = 0, ""
    for _ in range(runs):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        page = context.new_page()
        run: list[float] = []
        try:
            page.goto(url, wait_until="commit", timeout=60_000)
            page.wait_for_function(f"() => {READY_JS}", polling="raf", timeout=60_000)
            while len(run) < switches:
                page.evaluate("window.__benchMarker = 1")
                try:
                    result = page.evaluate(SWITCH_JS, [SWITCH_CYCLE, 2_000, limit_ms])
                except Exception as exc:  # the page navigated away: the switch reloaded it
                    if "navigation" not in str(exc) and "destroyed" not in str(exc):
                        raise
                    result = {"ms": page.wait_for_function(RELOADED_JS, polling="raf", timeout=limit_ms)
                              .json_value(), "reloaded": True}
                reloads += bool(result["reloaded"])
                run.append(float("inf") if result["ms"] is None else float(result["ms"]))
        except Exception as exc:  # page never ready, or a reload never ready again: the rest count as failed
            error = error or str(exc).strip().splitlines()[0]
        times += run + [float("inf")] * (switches - len(run))
        context.close()
    return SwitchMeasure(times, reloads, error)
