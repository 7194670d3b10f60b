"""The server-drawn charts: geometry in charts.py, markup in visits/_chart.html."""

import itertools
from datetime import date

from django.template.loader import render_to_string
from django.utils import translation

from carenet.visits import charts


def test_values_are_placed_between_the_bottom_and_the_top():
    chart = charts.line_chart([(date(2025, 1, 1), 0), (date(2025, 7, 1), 100)])
    low, high = chart.points
    assert (low.x, low.y) == (chart.left, chart.bottom)
    assert (high.x, high.y) == (chart.right, chart.top)


def test_time_runs_in_proportion_to_the_dates():
    chart = charts.line_chart(
        [(date(2025, 1, 1), 50), (date(2025, 1, 11), 50), (date(2025, 4, 11), 50)]
    )
    first, second, third = (p.x for p in chart.points)
    # 10 days of 100: a tenth of the width.
    assert round((second - first) / (third - first), 2) == 0.1


def test_a_missing_value_breaks_the_line():
    chart = charts.line_chart(
        [
            (date(2025, 1, 1), 40),
            (date(2025, 2, 1), 60),
            (date(2025, 3, 1), None),
            (date(2025, 4, 1), 70),
            (date(2025, 5, 1), 80),
        ]
    )
    assert len(chart.segments) == 2
    assert len(chart.points) == 4


def test_a_single_value_is_a_dot_in_the_middle():
    chart = charts.line_chart([(date(2025, 1, 1), 75)])
    assert chart.segments == []
    assert chart.points[0].x == (chart.left + chart.right) / 2
    assert chart.last == chart.points[0]


def test_no_values_draw_an_empty_frame():
    chart = charts.line_chart([])
    assert chart.points == [] and chart.segments == [] and chart.last is None
    assert [t.label for t in chart.y_ticks] == ["0", "50", "100"]


def test_points_below_the_pass_line_are_marked_low():
    chart = charts.line_chart([(date(2025, 1, 1), 49), (date(2025, 2, 1), 50)], threshold=50)
    assert [p.low for p in chart.points] == [True, False]
    assert chart.threshold == (chart.top + chart.bottom) / 2


def test_axis_labels_are_buddhist_era_months_that_do_not_touch():
    with translation.override("th"):
        days = [date(2024, 1, 5), date(2024, 1, 20), date(2024, 2, 1), date(2025, 3, 1)]
        chart = charts.line_chart([(d, 50) for d in days])
    labels = [t.label for t in chart.x_ticks]
    assert labels[0] == "ม.ค. 67" and labels[-1] == "มี.ค. 68"
    assert len(labels) == len(set(labels))
    positions = [t.position for t in chart.x_ticks]
    assert all(b - a >= 58 for a, b in itertools.pairwise(positions))
    assert chart.x_ticks[0].anchor == "start" and chart.x_ticks[-1].anchor == "end"


def test_latest_value_label_stays_inside_the_chart():
    top = charts.line_chart([(date(2025, 1, 1), 20), (date(2025, 2, 1), 100)])
    assert top.value_dy > 0 and top.value_anchor == "end"
    middle = charts.line_chart([(date(2025, 1, 1), 40)])
    assert middle.value_dy < 0 and middle.value_anchor == "middle"


def test_bars_scale_to_the_largest_value():
    chart = charts.bar_chart([("ม.ค.", 0), ("ก.พ.", 5), ("มี.ค.", 10)])
    empty, half, full = chart.bars
    assert empty.height == 0 and empty.text == ""
    assert full.y + full.height == chart.baseline
    assert half.height == full.height / 2
    assert half.center == round(half.x + half.width / 2, 1)
    assert all(b.x + b.width <= chart.width for b in chart.bars)


def test_bars_of_nothing_at_all_do_not_divide_by_zero():
    chart = charts.bar_chart([("ม.ค.", 0), ("ก.พ.", 0)])
    assert [b.height for b in chart.bars] == [0, 0]


def test_the_chart_partial_draws_an_accessible_svg():
    chart = charts.line_chart([(date(2025, 1, 1), 40), (date(2025, 6, 1), 80)], threshold=50)
    html = render_to_string(
        "visits/_chart.html",
        {"chart": chart, "title": "สุขภาพ <script>", "chart_id": "c1", "unit": "%"},
    )
    assert html.count("<svg") == 1 and 'role="img"' in html
    assert '<title id="c1-title">สุขภาพ &lt;script&gt;</title>' in html
    assert "<polyline" in html and html.count("<circle") == 2
    assert "stroke-dasharray" in html  # the pass line
    assert ">80%</text>" in html


def test_the_chart_partial_ignores_the_thousand_separator(settings):
    settings.USE_THOUSAND_SEPARATOR = True
    chart = charts.line_chart([(date(2025, 1, 1), 40)], width=2000)
    html = render_to_string("visits/_chart.html", {"chart": chart, "chart_id": "c"})
    assert 'viewBox="0 0 2000 150"' in html
