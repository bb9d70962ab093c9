"""Server-rendered bar charts as inline SVG: no JavaScript, no external assets.

Each chart is an `<svg role="img">` with a `<title>` and `<desc>` that screen readers announce,
and a `<title>` per bar. The label sits above its bar across the full width of a 400-unit
viewBox, so on a 360 px phone the text stays about 14 px high; the SVG scales with its container.
A value of None (a suppressed cell) draws no bar and says `suppressed_text`; a value that is text
draws no bar and says that text (the public page words each hidden count by why it is hidden).
"""

import itertools

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

_ids = itertools.count(1)
WIDTH = 400
ROW = 46
BAR = 16


def bar_chart(title, items, *, description="", suppressed_text="suppressed", unit="learners"):
    """An accessible horizontal bar chart of [(label, value, or None or a text if hidden)]."""
    chart_id = f"chart-{next(_ids)}"
    values = [v for _label, v in items if isinstance(v, int)]
    top = max(values) if values else 0
    height = max(ROW, ROW * len(items) + 8)

    def said(value):
        if value is None:
            return suppressed_text
        return value if isinstance(value, str) else None

    description = description or "; ".join(
        f"{label}: {said(value) or f'{value:,} {unit}'}" for label, value in items
    )
    parts = [
        format_html(
            '<svg class="chart" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} {2}" '
            'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
            '<title id="{0}-t">{3}</title><desc id="{0}-d">{4}</desc>',
            chart_id,
            WIDTH,
            height,
            title,
            description,
        )
    ]
    for index, (label, value) in enumerate(items):
        y = index * ROW + 4
        if said(value) is not None:
            shown, length = said(value), 0
        else:
            shown = f"{value:,}"
            length = 0 if top == 0 else max(2, round((WIDTH - 70) * value / top))
        parts.append(
            format_html(
                "<g><title>{0}: {1}</title>"
                '<text x="0" y="{2}" font-size="15" fill="#1b1f24">{0}</text>'
                '<rect x="0" y="{3}" width="{4}" height="{5}" rx="2" fill="#0b4f8a"></rect>'
                '<text x="{6}" y="{7}" font-size="14" fill="#1b1f24">{1}</text></g>',
                label,
                shown,
                y + 15,
                y + 22,
                length,
                BAR,
                length + 6,
                y + 35,
            )
        )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(p) for p in parts))


def chart_for_table(table):
    """A bar chart of a dashboard Table's row totals."""
    return bar_chart(table.title, [(str(label), total) for label, total in table.chart_items()])


__all__ = ["bar_chart", "chart_for_table", "escape"]
