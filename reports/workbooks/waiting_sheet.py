"""The monthly bulletin's 等候与满意度 sheet: satisfaction against waiting and service time
(evaluations.selectors.waiting_bands, the figures the dashboard's section shows).

One block per breakdown (waiting time, then service time): a table of the bands (评价数,
好评, 差评, 满意率, 差评占比; a band with too few ratings gives its count and 样本不足,
its rate cells empty), the threshold in a sentence, and beside it a native Excel chart:
columns of the ratings per band, with lines of the satisfaction rate and the bad-review
share on a secondary percentage axis, drawn from those cells (an empty rate is a gap in
the line). Then the windows' table: actual against expected satisfaction and the verdict,
queue or service.

Window names are user text: written through windows.workbook_cells (formatted_row), never
as formulas. Labels are Chinese whatever the user's language, as every bulletin sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from evaluations.selectors import waiting_bands as bands
from evaluations.selectors.waiting_bands import (
    Breakdown,
    WaitingFilters,
    WaitingReport,
    waiting_bands,
)
from windows.models import Hall
from windows.workbook_print import anchor_chart, fit_row_height, print_as_list

from .styles import (
    INTEGER_FORMAT,
    PERCENT_FORMAT,
    SECTION_FONT,
    TITLE_FONT,
    Column,
    formatted_row,
    fraction,
    header_row,
    styled,
    text_row,
)

SHEET_TITLE = "等候与满意度"
POINTS_FORMAT = "0.00"
TOO_FEW = "样本不足"
KIND_TITLES = {
    "wait": ("按等候时长（取号至叫号，分钟）", "等候时长（分钟）", "等候"),
    "service": ("按办理时长（开始至办结，分钟）", "办理时长（分钟）", "办理"),
}
BAND_HEADERS = ("评价数", "好评", "差评", "满意率", "差评占比", "说明")
VERDICTS = {
    bands.QUEUE: "排队所致",
    bands.SERVICE_VERDICT: "服务所致",
    bands.SIMILAR: "与全厅相当",
    bands.NOT_BELOW: "不低于全厅",
    bands.TOO_FEW: TOO_FEW,
}
WINDOW_COLUMNS = (
    Column("窗口", 22, wrap=True),
    Column("窗口号", 11),
    Column("评价数", 11, INTEGER_FORMAT),
    Column("满意率", 11, PERCENT_FORMAT),
    Column("按等候结构预期满意率", 11, PERCENT_FORMAT, wrap=True),
    Column("标准化满意率", 11, PERCENT_FORMAT, wrap=True),
    Column("与全厅差距（百分点）", 11, POINTS_FORMAT, wrap=True),
    Column("等候可解释比例", 11, PERCENT_FORMAT, wrap=True),
    Column("结论", 12),
)
# The charts sit right of the tables, over columns J to R, each beside its block; a
# block is at least CHART_ROWS rows tall so its chart is.
CHART_FIRST_COLUMN, CHART_LAST_COLUMN, CHART_COLUMN_WIDTH = 10, 18, 9
CHART_ROWS = 17
# Band-table column numbers (1-based) the charts read.
RATINGS_COLUMN, SATISFACTION_COLUMN, BAD_SHARE_COLUMN = 2, 5, 6


NOTES = (
    "等候时长：取号至叫号（无叫号时间的，至开始办理）；办理时长：开始办理至办结；",
    "区间含下限、不含上限。满意率＝好评÷评价数，差评占比＝差评÷评价数（经预审剔除的评价不计）。",
    f"评价数少于{bands.MIN_BAND_RATINGS}条的区间只列评价数，不计比率、不入折线。",
)
WINDOW_NOTES = (
    "预期满意率：按全厅各等候区间的满意率和该窗口自身的等候结构推算；",
    "标准化满意率＝全厅满意率＋（实际满意率－预期满意率）。",
    "明显低于全厅（满意率95%置信区间上限仍低于全厅）的窗口，差距一半以上可由等候结构解释的，"
    "判为排队所致，否则为服务所致；略低但在置信区间之内的，为与全厅相当；",
    "等候可解释比例在0%至100%之间取值。",
    f"评价数少于{bands.MIN_WINDOW_RATINGS}条的窗口只列评价数。",
)


def threshold_sentence(breakdown: Breakdown) -> str:
    """The threshold in Chinese, as the dashboard explains it in the user's language."""
    threshold = breakdown.threshold
    what = KIND_TITLES[breakdown.kind][2]
    if threshold.reason == bands.FOUND:
        return (
            f"差评自{what}{threshold.minute}分钟起明显上升："
            f"{threshold.band}分钟区间差评占比{threshold.band_bad_share_pct:.2f}%，"
            f"{threshold.baseline}分钟区间为{threshold.baseline_bad_share_pct:.2f}%"
            f"（Wilson 95%置信区间不重叠，其后各区间均高于后者）。"
        )
    reasons = {
        bands.NO_BANDS: f"没有评价数达到{bands.MIN_BAND_RATINGS}条的区间，无法判断差评上升的时点。",
        bands.ONE_BAND: f"只有一个区间评价数达到{bands.MIN_BAND_RATINGS}条，无从比较。",
        bands.NO_RISE: f"{what}时间较长的区间差评占比未明显高于最短区间，未见上升时点。",
        bands.NOT_SUSTAINED: "有区间差评占比明显高于最短区间，但其后回落，未见持续上升的时点。",
    }
    return reasons[threshold.reason]


@dataclass(frozen=True)
class _Block:
    """Where a breakdown's table sits: its header row and last band row."""

    header: int
    last: int


def _band_values(band) -> tuple:
    if not band.enough:
        return (band.label, band.ratings, None, None, None, None, TOO_FEW)
    return (
        band.label,
        band.ratings,
        band.counts.good,
        band.counts.bad,
        fraction(band.satisfaction_rate_pct),
        fraction(band.bad_share_pct),
        None,
    )


def band_chart(sheet: WriteOnlyWorksheet, breakdown: Breakdown, block: _Block) -> BarChart:
    """Columns of the ratings per band, lines of the two rates on a secondary axis."""
    axis_title = KIND_TITLES[breakdown.kind][1]
    chart = BarChart()
    chart.type = "col"
    # No category-axis title: LibreOffice repeats it over the plot for the lines' axis.
    chart.title = f"评价数、满意率与差评占比（{axis_title}）"
    chart.y_axis.title = "评价数"
    chart.y_axis.numFmt = INTEGER_FORMAT
    chart.y_axis.majorGridlines = None
    chart.add_data(
        Reference(sheet, min_col=RATINGS_COLUMN, min_row=block.header, max_row=block.last),
        titles_from_data=True,
    )
    categories = Reference(sheet, min_col=1, min_row=block.header + 1, max_row=block.last)
    chart.set_categories(categories)
    rates = LineChart()
    rates.add_data(
        Reference(
            sheet,
            min_col=SATISFACTION_COLUMN,
            max_col=BAD_SHARE_COLUMN,
            min_row=block.header,
            max_row=block.last,
        ),
        titles_from_data=True,
    )
    rates.set_categories(categories)
    rates.y_axis.axId = 200
    rates.y_axis.title = "满意率 / 差评占比"
    rates.y_axis.numFmt = "0%"
    rates.y_axis.scaling.min = 0
    rates.y_axis.scaling.max = 1
    rates.y_axis.crosses = "max"
    for series, color in zip(rates.series, ("1565C0", "B71C1C"), strict=True):
        series.graphicalProperties.line.solidFill = color
        series.marker.symbol = "circle"
        series.marker.graphicalProperties.solidFill = color
        series.marker.graphicalProperties.line.solidFill = color
        series.smooth = False
    chart.series[0].graphicalProperties.solidFill = "9E9E9E"
    for axis in (chart.x_axis, chart.y_axis, rates.y_axis):
        axis.delete = False
    chart.display_blanks = "gap"
    chart.legend.position = "b"
    chart += rates
    return chart


def write_waiting_sheet(sheet: WriteOnlyWorksheet, report: WaitingReport) -> None:
    for index, column in enumerate(WINDOW_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for column in range(CHART_FIRST_COLUMN, CHART_LAST_COLUMN + 1):
        sheet.column_dimensions[get_column_letter(column)].width = CHART_COLUMN_WIDTH
    print_as_list(sheet, header_rows=2)
    filters = report.filters

    sheet.append([styled(sheet, SHEET_TITLE, font=TITLE_FONT)])
    sheet.append(
        text_row(
            sheet,
            [
                f"统计期间：{filters.start:%Y-%m-%d}至{filters.end:%Y-%m-%d}；"
                f"评价{report.totals.judged}条，满意率"
                f"{_pct_text(report.satisfaction_rate_pct)}，差评占比"
                f"{_pct_text(report.bad_share_pct)}"
            ],
        )
    )
    for line in NOTES:
        sheet.append(text_row(sheet, [line]))
    row = 2 + len(NOTES)
    for breakdown in (report.wait, report.service):
        title, axis_title, _what = KIND_TITLES[breakdown.kind]
        sheet.append([])
        sheet.append([styled(sheet, title, font=SECTION_FONT)])
        first = row + 2
        band_columns = (
            Column(axis_title, 0),
            Column(BAND_HEADERS[0], 0, INTEGER_FORMAT),
            Column(BAND_HEADERS[1], 0, INTEGER_FORMAT),
            Column(BAND_HEADERS[2], 0, INTEGER_FORMAT),
            Column(BAND_HEADERS[3], 0, PERCENT_FORMAT),
            Column(BAND_HEADERS[4], 0, PERCENT_FORMAT),
            Column(BAND_HEADERS[5], 0),
        )
        sheet.append(header_row(sheet, band_columns))
        block = _Block(header=row + 3, last=row + 3 + len(breakdown.bands))
        for band in breakdown.bands:
            sheet.append(formatted_row(sheet, band_columns, _band_values(band)))
        sentence = threshold_sentence(breakdown)
        sheet.append(text_row(sheet, [sentence]))
        row = block.last + 1
        chart_last = max(row, first + CHART_ROWS - 1)
        for _blank in range(chart_last - row):
            sheet.append([])
        row = chart_last
        anchor_chart(
            sheet,
            band_chart(sheet, breakdown, block),
            f"{get_column_letter(CHART_FIRST_COLUMN)}{first}",
            f"{get_column_letter(CHART_LAST_COLUMN)}{chart_last}",
        )

    sheet.append([])
    sheet.append([styled(sheet, "窗口：排队所致还是服务所致", font=SECTION_FONT)])
    for line in WINDOW_NOTES:
        sheet.append(text_row(sheet, [line]))
    header_number = row + 3 + len(WINDOW_NOTES)
    fit_row_height(sheet, header_number, [(c.header, c.width) for c in WINDOW_COLUMNS])
    sheet.append(header_row(sheet, WINDOW_COLUMNS))
    for number, window in enumerate(report.windows, start=header_number + 1):
        values = (
            window.name,
            window.number,
            window.ratings,
            fraction(window.satisfaction_rate_pct),
            fraction(window.expected_rate_pct),
            fraction(window.standardised_rate_pct),
            window.gap_pp,
            fraction(window.queue_share_pct),
            VERDICTS[window.verdict],
        )
        fit_row_height(sheet, number, [(window.name, WINDOW_COLUMNS[0].width)])
        sheet.append(formatted_row(sheet, WINDOW_COLUMNS, values))
    if not report.windows:
        sheet.append(text_row(sheet, ["无"]))


def _pct_text(pct: float | None) -> str:
    return "—" if pct is None else f"{pct:.2f}%"


def add_waiting_sheet(workbook, *, hall: Hall, start, end) -> WaitingReport:
    """The 等候与满意度 sheet of the hall's days start..end, added to a write-only
    workbook (the monthly bulletin, reports.workbooks.bulletin)."""
    report = waiting_bands(WaitingFilters(hall=hall, start=start, end=end))
    write_waiting_sheet(workbook.create_sheet(SHEET_TITLE), report)
    return report
