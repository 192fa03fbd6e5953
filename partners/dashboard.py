"""Pages made of panels that other apps fill: "My work" (the admin index) and, in campaigns, a campaign's home.

Each app registers the panels it knows about, so `partners` knows nothing of campaigns and `campaigns`
nothing of meetings. A panel's `build` returns its template context, or None to leave the panel out (nothing
to show, or nothing for this user). Every panel runs a fixed number of queries and shows a bounded number of
rows, so a page does not grow with what a user can see.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Panel:
    title: str
    template: str
    build: Callable[..., dict[str, Any] | None]
    order: int


@dataclass
class Page:
    panels: list[Panel] = field(default_factory=list)
    # Links a page shows besides its panels: (label, build(subject) -> URL).
    links: list[tuple[str, Callable[[Any], str]]] = field(default_factory=list)

    def link(self, label: str):
        """Register `build(subject) -> URL` as a link of this page."""

        def register(build):
            self.links.append((label, build))
            return build

        return register

    def panel(self, title: str, template: str, order: int = 50):
        """Register `build(request, **subject)` as a panel of this page."""

        def register(build):
            self.panels.append(Panel(title, template, build, order))
            self.panels.sort(key=lambda panel: panel.order)
            return build

        return register

    def render(self, request, **subject) -> list[dict[str, Any]]:
        """The panels with something to show, each as {"title", "html"}."""
        shown = []
        back = returning_to(request)
        for panel in self.panels:
            context = panel.build(request, **subject)
            if context is not None:
                html = render_to_string(
                    panel.template, {"request": request, "back": back, **subject, **context}, request=request
                )
                shown.append({"title": context.get("title", panel.title), "html": SafeString(html)})
                if context.get("lead"):  # a panel that says it matters most right now comes first
                    shown.insert(0, shown.pop())
        return shown


def returning_to(request) -> str:
    """The query a link from this page carries so that a save on the page it opens comes back here (the admin
    base follows `next`, once checked to be a path of this site)."""
    if request is None:  # drawn for a document (a results report), not a page
        return ""
    return "?" + urlencode({"next": request.get_full_path()})


PANEL_ROWS = 20  # a panel shows this many rows at most, and says when there are more


def bounded(queryset) -> dict[str, Any]:
    """A panel's rows (at most PANEL_ROWS, read in one query) and whether there are more."""
    rows = list(queryset[: PANEL_ROWS + 1])
    return {"rows": rows[:PANEL_ROWS], "more": len(rows) > PANEL_ROWS}


my_work = Page()
