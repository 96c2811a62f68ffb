"""Small server-rendered SVG charts; every chart has its numbers in a table too.

Charts are images with a title and a description (role="img"); colours come
from CSS classes so they follow the light or dark theme. No JavaScript.
"""

from typing import Protocol

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

SERIES_COLOURS = 8  # .series-0 ... .series-7 in site.css
LABEL_WIDTH = 172
CHART_WIDTH = 440
BAR_HEIGHT = 22
GAP = 8


class Bar(Protocol):
    label: str
    value: int


def _truncate(label: str, limit: int = 21) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _frame(ident: str, title: str, description: str, height: int, body: str) -> str:
    return format_html(
        '<svg class="chart" id="{}" role="img" aria-labelledby="{}-title {}-desc" '
        'viewBox="0 0 {} {}" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        ident,
        ident,
        ident,
        CHART_WIDTH,
        height,
        ident,
        title,
        ident,
        description,
        mark_safe(body),  # noqa: S308 - built below from escaped parts
    )


def bar_chart(ident: str, *, title: str, description: str, bars: list[Bar]):
    """Return a horizontal bar chart, longest bar for the largest value."""
    largest = max((bar.value for bar in bars), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 50
    parts = []
    for index, bar in enumerate(bars):
        y = index * (BAR_HEIGHT + GAP)
        width = max(round(room * bar.value / largest), 1 if bar.value else 0)
        parts.append(
            f'<g class="bar"><text class="label" x="{LABEL_WIDTH - 8}" '
            f'y="{y + BAR_HEIGHT * 0.7:.1f}" text-anchor="end">'
            f"{escape(_truncate(bar.label))}</text>"
            f'<rect class="series-0" x="{LABEL_WIDTH}" y="{y}" width="{width}" '
            f'height="{BAR_HEIGHT}" rx="2"></rect>'
            f'<text class="value" x="{LABEL_WIDTH + width + 6}" '
            f'y="{y + BAR_HEIGHT * 0.7:.1f}">{bar.value}</text></g>'
        )
    height = max(len(bars) * (BAR_HEIGHT + GAP), BAR_HEIGHT)
    return _frame(ident, title, description, height, "".join(parts))


def stacked_columns(
    ident: str,
    *,
    title: str,
    description: str,
    columns: list[str],
    series: list[str],
    values: dict[tuple[str, str], int],
) -> SafeString:
    """Return vertical columns (e.g. years) stacked by series (e.g. domains)."""
    plot_height, top, bottom, left = 220, 10, 24, 36
    totals = [sum(values.get((c, s), 0) for s in series) for c in columns]
    largest = max(totals, default=0) or 1
    slot = (CHART_WIDTH - left) / max(len(columns), 1)
    width = min(slot * 0.7, 48)
    parts = [
        f'<line class="axis" x1="{left}" y1="{top + plot_height}" '
        f'x2="{CHART_WIDTH}" y2="{top + plot_height}"></line>',
        f'<text class="value" x="{left - 6}" y="{top + 10}" text-anchor="end">'
        f"{largest}</text>",
        f'<text class="value" x="{left - 6}" y="{top + plot_height}" '
        f'text-anchor="end">0</text>',
    ]
    for index, column in enumerate(columns):
        x = left + index * slot + (slot - width) / 2
        y = top + plot_height
        for number, name in enumerate(series):
            value = values.get((column, name), 0)
            if not value:
                continue
            height = plot_height * value / largest
            y -= height
            parts.append(
                f'<rect class="series-{number % SERIES_COLOURS}" x="{x:.1f}" '
                f'y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"></rect>'
            )
        parts.append(
            f'<text class="label" x="{x + width / 2:.1f}" '
            f'y="{top + plot_height + 17}" text-anchor="middle">'
            f"{escape(column)}</text>"
        )
    legend_top = top + plot_height + bottom + 8
    for number, name in enumerate(series):
        row, col = divmod(number, 2)
        x, y = left + col * 200, legend_top + row * 20
        parts.append(
            f'<rect class="series-{number % SERIES_COLOURS}" x="{x}" y="{y}" '
            f'width="12" height="12"></rect><text class="label" x="{x + 18}" '
            f'y="{y + 11}">{escape(_truncate(name, 24))}</text>'
        )
    legend_rows = (len(series) + 1) // 2
    height = legend_top + legend_rows * 20 + 4
    return _frame(ident, title, description, height, "".join(parts))
