"""KPI charts, drawn on the server with matplotlib: actual against target over the campaign's time.

One chart per KPI: a line per company whose figures the KPI counts (and their sum, when it adds them up), the
target as a horizontal line, and the pace line from zero at kickoff to the target at the end date. SVG scales
on the page and embeds in the PDF report as it is; no script, no CDN. E-mail clients block SVG, so the digest
gets one PNG per campaign with its KPIs' charts stacked.

Names are text, never markup: matplotlib reads `$…$` as mathtext (a metric named `Leads $\\foo$` raised), so
every text artist of a figure has math parsing turned off before it is laid out. And a chart that still cannot
be drawn (a figure's date beyond what matplotlib can place, say) becomes a table of its figures with a note,
so the page, the report or the e-mail that shows it never fails for it.
"""

import datetime
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # no display: render to files only
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.utils.html import format_html, format_html_join  # noqa: E402
from django.utils.safestring import SafeString, mark_safe  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from utilities.fingerprints import content_fingerprint  # noqa: E402

logger = logging.getLogger(__name__)
COLOURS = ["#417690", "#b26b00", "#2e7d32", "#7b1fa2"]
CHART_STYLE = 1  # moves on with any change to how charts are drawn, so charts kept in the cache are redrawn
CHART_CACHE_SECONDS = 7 * 24 * 3600  # a chart nobody opened for a week is dropped (its figures rarely change)


@dataclass(frozen=True)
class KpiSeries:
    name: str
    unit: str
    target: Decimal | None
    by_company: dict[str, list[tuple[datetime.date, Decimal]]]  # company name -> (period end, value), by date
    start: datetime.date | None  # kickoff
    end: datetime.date | None  # end (or launch) date
    # The figure the target is met by, when it is the companies' figures added up: (period end, sum), by date.
    combined: list[tuple[datetime.date, Decimal]] = field(default_factory=list)


def _plot(axes, series: KpiSeries) -> None:
    for index, (company, points) in enumerate(sorted(series.by_company.items())):
        days, values = zip(*points, strict=True)
        colour = COLOURS[index % len(COLOURS)]
        axes.plot(days, [float(v) for v in values], marker="o", color=colour, label=company, linewidth=2)
    if series.combined:
        days, values = zip(*series.combined, strict=True)
        axes.plot(days, [float(v) for v in values], marker="s", color="#222222", label="sum", linewidth=2.5)
    if series.target is not None:
        axes.axhline(float(series.target), color="#ba2121", linestyle="-", linewidth=1, label="target")
        if series.start and series.end and series.end > series.start:
            axes.plot(
                [series.start, series.end],
                [0, float(series.target)],
                color="#888888",
                linestyle="--",
                linewidth=1,
                label="pace",
            )
    axes.set_title(series.name, loc="left", fontsize=10)
    axes.set_ylabel(series.unit, fontsize=8)
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes.tick_params(labelsize=8)
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    if series.by_company or series.target is not None:
        axes.legend(fontsize=7, frameon=False, loc="upper left")


def _render(series: list[KpiSeries], output, **savefig) -> None:
    figure, axes = plt.subplots(len(series), 1, figsize=(6.4, 2.6 * len(series)), dpi=100, squeeze=False)
    try:
        for row, one in zip(axes, series, strict=True):
            _plot(row[0], one)
        # Titles and legends carry names people typed. (Tick labels, drawn later, are our own dates and numbers.)
        for text in figure.findobj(Text):
            text.set_parse_math(False)
        figure.tight_layout()
        figure.savefig(output, **savefig)
    finally:
        plt.close(figure)


CHART_FAILED_NOTE = "The chart could not be drawn, so here are its figures."


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def figures_table(series: list[KpiSeries]) -> SafeString:
    """What charts show, as a table: each company's figure at the end of each period, and the target."""
    rows = [
        (one.name, company, day.isoformat(), _number(value))
        for one in series
        for company, points in sorted(one.by_company.items())
        for day, value in points
    ]
    rows += [(one.name, "Target", "", _number(one.target)) for one in series if one.target is not None]
    return format_html(
        '<div class="kpi-figures"><p>{}</p><table><thead><tr><th>KPI</th><th>Company</th><th>Period end</th>'
        "<th>Figure</th></tr></thead><tbody>{}</tbody></table></div>",
        CHART_FAILED_NOTE,
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


def kpi_chart_svg(series: KpiSeries) -> SafeString:
    """The chart of one KPI, drawn once per change of what it shows: kept in the cache under a fingerprint of its
    figures (drawing ten charts took most of a campaign home's 950 ms at 100,000 campaigns). When it cannot be
    drawn, its figures as a table (not kept: the next request tries again)."""
    key = f"kpi-chart-svg:{CHART_STYLE}:{chart_fingerprint(series)}"
    svg = cache.get(key)
    if svg is None:
        out = io.StringIO()
        try:
            _render([series], out, format="svg")
        except Exception:  # whatever matplotlib raises, the page that shows the chart still renders
            logger.exception("The chart of KPI %r could not be drawn; its figures are shown as a table", series.name)
            return figures_table([series])
        svg = out.getvalue()
        svg = svg[svg.index("<svg") :]  # drop the XML prologue so it can sit inside HTML
        cache.set(key, svg, CHART_CACHE_SECONDS)
    return mark_safe(svg)


def chart_fingerprint(series: KpiSeries) -> str:
    """A fingerprint of everything a chart shows: equal figures, equal chart."""

    def points(rows: list[tuple[datetime.date, Decimal]]) -> list[list[str]]:
        return [[day.isoformat(), str(value)] for day, value in rows]

    return content_fingerprint(
        {
            "name": series.name,
            "unit": series.unit,
            "target": None if series.target is None else str(series.target),
            "by_company": {company: points(rows) for company, rows in series.by_company.items()},
            "start": series.start and series.start.isoformat(),
            "end": series.end and series.end.isoformat(),
            "combined": points(series.combined),
        }
    )


PNG_WIDTH = 640  # CSS pixels: fits the usual 600-700px column of an e-mail


def kpi_charts_png(series: list[KpiSeries]) -> bytes | None:
    """The charts of several KPIs stacked in one PNG, drawn at 1.5 × PNG_WIDTH so it stays sharp on dense screens;
    None when they cannot be drawn (show `figures_table` instead)."""
    out = io.BytesIO()
    try:
        _render(series, out, format="png", dpi=150)
    except Exception:  # the e-mail goes out with a table instead
        logger.exception("The charts of KPIs %r could not be drawn", [one.name for one in series])
        return None
    return out.getvalue()
