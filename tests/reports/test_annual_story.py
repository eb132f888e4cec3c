"""The annual review's story (issue 15 item 4, reports.selectors.annual_story and the
sentences of reports.workbooks.annual_story) on a constructed 2020 shaped like the seed's,
written straight into the daily rollups the story reads (evaluations.models.DailyFigures):
one row a window and working day (every Monday to Friday), each item one completed visit.

Every working day: 社保通办 40 items, 医保通办 20, 企保待遇通办 20, the specialist window
失业特殊业务窗口 10 (90 in all), except:
- 10 to 31 August (16 working days): 企保待遇通办 80, three policies at once (150 a day);
- November: 医保通办 70 (the medical-insurance enrolment, 140 a day); December: 100 (170).
Ratings start in June: 60% of the visits rated, July and August 80%, September to
November 90%, December 100%.
The year before (`with_2019`): 社保通办 12,000 items, 医保通办 4,000, the specialist
window 3,000, 企保待遇通办 none (opened in 2020), on one day.

2020 has 262 working days (Monday to Friday); August 21, September and October 22,
November 21, December 23.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import translation

from evaluations.models import DailyFigures
from reports.selectors.annual_story import (
    AnnualStory,
    Driver,
    EvaluationClimb,
    StepChange,
    ZoneMonth,
    ZoneYoY,
    annual_story,
)
from reports.workbooks.annual_story import (
    HEADING,
    SENTENCE,
    month_sentence,
    story_lines,
    story_sentences,
)
from tests.windows.factories import WindowFactory, ZoneFactory
from windows.models import Zone

RATED_SHARE = {6: 0.6, 7: 0.8, 8: 0.8, 9: 0.9, 10: 0.9, 11: 0.9, 12: 1.0}


def working_days(year: int, last: dt.date | None = None) -> list[dt.date]:
    day, end = dt.date(year, 1, 1), last or dt.date(year, 12, 31)
    days = []
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def hall_windows(hall) -> dict[str, object]:
    zones = {
        name: ZoneFactory(hall=hall, name=name, kind=Zone.Kind.GENERAL, sort_order=order)
        for order, name in enumerate(("社保通办", "医保通办", "企保待遇通办"), start=1)
    }
    specialist = ZoneFactory(hall=hall, name="专业", kind=Zone.Kind.SPECIALIST, sort_order=9)
    windows = {
        name: WindowFactory(hall=hall, number=number, name=f"{name}{number}号窗口", zone=zone)
        for number, (name, zone) in enumerate(zones.items(), start=1)
    }
    windows["专业"] = WindowFactory(hall=hall, number=30, name="失业特殊业务窗口", zone=specialist)
    return windows


def _row(hall, window, day: dt.date, items: int, rated_share: float = 0.0) -> DailyFigures:
    rated = int(items * rated_share)
    return DailyFigures(
        hall=hall, day=day, window=window, items=items, visits=items, rated=rated, good=rated
    )


def seed_like_year(hall, *, last: dt.date | None = None, flat: bool = False) -> dict:
    """The year above (flat: 90 a day all year, no ratings); `last`: the data ends then."""
    windows = hall_windows(hall)
    rows = []
    for day in working_days(2020, last):
        items = {"社保通办": 40, "医保通办": 20, "企保待遇通办": 20, "专业": 10}
        if not flat:
            if dt.date(2020, 8, 10) <= day <= dt.date(2020, 8, 31):
                items["企保待遇通办"] = 80
            if day.month == 11:
                items["医保通办"] = 70
            if day.month == 12:
                items["医保通办"] = 100
        share = 0.0 if flat else RATED_SHARE.get(day.month, 0.0)
        rows += [_row(hall, windows[name], day, count, share) for name, count in items.items()]
    DailyFigures.objects.bulk_create(rows)
    return windows


def with_2019(hall, windows) -> None:
    day = dt.date(2019, 6, 3)
    DailyFigures.objects.bulk_create(
        [
            _row(hall, windows["社保通办"], day, 12_000),
            _row(hall, windows["医保通办"], day, 4_000),
            _row(hall, windows["专业"], day, 3_000),
        ]
    )


# --- the story's figures -----------------------------------------------------------------


@pytest.fixture
def seed_like(hall_a):
    windows = seed_like_year(hall_a)
    with_2019(hall_a, windows)
    return hall_a


def test_unusual_months_are_august_september_november_and_december(seed_like):
    story = annual_story(hall=seed_like, year=2020)

    # Items a working day: 90 to July, 135.7 in August, 90 in September and October,
    # 140 in November, 170 in December: month-on-month changes 0 (x6), +50.79, -33.68,
    # 0, +55.56, +21.43; their median is 0, so the floor (10%) is the threshold.
    assert story.threshold_pct == 10.0
    assert [(m.month, m.items, m.days, m.average, m.change_pct) for m in story.unusual_months] == [
        (8, 2_850, 21, 135.7, 50.79),
        (9, 1_980, 22, 90.0, -33.68),
        (11, 2_940, 21, 140.0, 55.56),
        (12, 3_910, 23, 170.0, 21.43),
    ]
    assert [m.continues for m in story.unusual_months] == [False, False, False, True]
    assert [m.peak_day for m in story.unusual_months] == [
        (dt.date(2020, 8, 10), 150),
        None,
        (dt.date(2020, 11, 2), 140),
        (dt.date(2020, 12, 1), 170),
    ]


def test_each_unusual_month_names_the_zone_behind_it(seed_like):
    story = annual_story(hall=seed_like, year=2020)

    assert [m.driver for m in story.unusual_months] == [
        # 企保待遇通办: 20 a day in July, (21 x 20 + 16 x 60) / 21 = 65.7 in August.
        Driver("企保待遇通办", 20.0, 65.7, 228.57, 100.0, True),
        Driver("企保待遇通办", 65.7, 20.0, -69.57, 100.0, True),
        Driver("医保通办", 20.0, 70.0, 250.0, 100.0, True),
        Driver("医保通办", 70.0, 100.0, 42.86, 100.0, True),
    ]


def test_the_steps_are_10_august_1_september_and_2_november(seed_like):
    story = annual_story(hall=seed_like, year=2020)

    assert story.steps == (
        StepChange(
            day=dt.date(2020, 8, 10),
            day_items=150,
            before_average=90.0,
            after_average=150.0,
            change_pct=66.67,
            until=dt.date(2020, 8, 31),
            days=16,
            driver=Driver("企保待遇通办", 20.0, 80.0, 300.0, 100.0, True),
        ),
        StepChange(
            day=dt.date(2020, 9, 1),
            day_items=90,
            before_average=150.0,
            after_average=90.0,
            change_pct=-40.0,
            until=dt.date(2020, 10, 30),
            days=44,
            driver=Driver("企保待遇通办", 80.0, 20.0, -75.0, 100.0, True),
        ),
        # To the year's end: (21 x 140 + 23 x 170) / 44 = 155.68 a day; 医保通办
        # (21 x 70 + 23 x 100) / 44 = 85.68. December's +21% is under the step's 25%.
        StepChange(
            day=dt.date(2020, 11, 2),
            day_items=140,
            before_average=90.0,
            after_average=155.7,
            change_pct=72.98,
            until=dt.date(2020, 12, 31),
            days=44,
            driver=Driver("医保通办", 20.0, 85.7, 328.41, 100.0, True),
        ),
    )


def test_zones_year_on_year(seed_like):
    with translation.override("en"):  # the specialist windows' label
        story = annual_story(hall=seed_like, year=2020)

    assert story.has_previous_year is True
    assert story.zones_yoy == (
        ZoneYoY("社保通办", 10_480, 12_000, -12.67),  # 262 x 40
        ZoneYoY("医保通办", 8_130, 4_000, 103.25),  # 262 x 20 + 21 x 50 + 23 x 80
        ZoneYoY("企保待遇通办", 6_200, 0, None),  # 262 x 20 + 16 x 60
        ZoneYoY("Specialist windows", 2_620, 3_000, -12.67),
    )


def test_the_evaluation_rate_climbs_from_june(seed_like):
    story = annual_story(hall=seed_like, year=2020)

    assert story.evaluation == EvaluationClimb(
        first_month=6,
        first_pct=60.0,
        last_month=12,
        last_pct=100.0,
        points=40.0,
        largest_rise_month=7,
        largest_rise_points=20.0,
    )


@pytest.mark.parametrize("monday_items", [40, 80])
def test_a_flat_year_has_no_unusual_month_and_no_step(hall_a, monday_items):
    """90 a day all year (Mondays busier in the second case: a weekly rhythm is no
    step), whatever the months' working days (February 20, January 23)."""
    windows = seed_like_year(hall_a, flat=True)
    DailyFigures.objects.filter(hall=hall_a, day__week_day=2, window=windows["社保通办"]).update(
        items=monday_items, visits=monday_items
    )

    story = annual_story(hall=hall_a, year=2020)

    assert story.threshold_pct == 10.0
    assert story.unusual_months == ()
    assert story.steps == ()
    assert story.evaluation is None  # no ratings


def test_without_the_year_before_no_zone_is_compared(hall_a):
    seed_like_year(hall_a)

    story = annual_story(hall=hall_a, year=2020)

    assert story.has_previous_year is False
    assert story.zones_yoy == ()


def test_months_the_data_does_not_cover_are_not_compared(hall_a):
    """The year's data ends on 27 November: December is not a -100% month."""
    seed_like_year(hall_a, last=dt.date(2020, 11, 27))

    story = annual_story(hall=hall_a, year=2020)

    assert [m.month for m in story.unusual_months] == [8, 9, 11]
    assert story.steps[-1].until == dt.date(2020, 11, 27)
    assert story.evaluation.last_month == 11


def test_another_halls_rows_are_not_read(seed_like, hall_b):
    story = annual_story(hall=hall_b, year=2020)

    assert story == AnnualStory(
        year=2020,
        threshold_pct=None,
        unusual_months=(),
        steps=(),
        has_previous_year=False,
        zones_yoy=(),
        evaluation=None,
    )


def test_the_story_takes_two_queries_and_the_windows(seed_like, django_assert_num_queries):
    with django_assert_num_queries(3):
        annual_story(hall=seed_like, year=2020)


# --- the sentences -----------------------------------------------------------------------

SENTENCES_EN = [
    "A month is unusual when its items per working day changed on the month before by "
    "more than 10.00% (twice the year's median change, at least 10%).",
    "August: 2,850 items, 135.7 a working day, 50.79% more than in July (90.0 a day); "
    "driven by 企保待遇通办 (up 228.57%, 100.0% of the increase); "
    "the busiest day was 10 August with 150 items.",
    "From 10 August items jumped: 150 that day, 150.0 a day to 31 August (16 working days) "
    "against 90.0 a day before, 66.67% more; "
    "driven by 企保待遇通办 (up 300.00%, 100.0% of the increase).",
    "September: 1,980 items, 90.0 a working day, 33.68% fewer than in August (135.7 a day); "
    "mostly at 企保待遇通办 (down 69.57%, 100.0% of the decrease).",
    "From 1 September items dropped: 90 that day, 90.0 a day to 30 October (44 working days) "
    "against 150.0 a day before, 40.00% fewer; "
    "mostly at 企保待遇通办 (down 75.00%, 100.0% of the decrease).",
    "November: 2,940 items, 140.0 a working day, 55.56% more than in October (90.0 a day); "
    "driven by 医保通办 (up 250.00%, 100.0% of the increase); "
    "the busiest day was 2 November with 140 items.",
    "From 2 November items jumped: 140 that day, 155.7 a day to 31 December "
    "(44 working days) against 90.0 a day before, 72.98% more; "
    "driven by 医保通办 (up 328.41%, 100.0% of the increase).",
    "December: 3,910 items, 170.0 a working day, a further 21.43% on top of November's rise "
    "(140.0 a day); driven by 医保通办 (up 42.86%, 100.0% of the increase); "
    "the busiest day was 1 December with 170 items.",
    "Year on year by zone, 2020 against 2019: 社保通办 10,480 items, down 12.67% on 12,000; "
    "医保通办 8,130 items, up 103.25% on 4,000; 企保待遇通办 6,200 items, none the year "
    "before; Specialist windows 2,620 items, down 12.67% on 3,000.",
    "The evaluation rate rose from 60.00% in June to 100.00% in December, 40.00 percentage "
    "points; the largest rise was in July, 20.00 points on June.",
]

SENTENCES_ZH = [
    "日均办件量比上月变化超过10.00%（全年环比变化中位数的2倍，且不低于10%）的月份视为异常。",
    "8月办件2,850件，日均135.7件，比7月（日均90.0件）增加50.79%；"
    "主要来自企保待遇通办（增加228.57%，占增量的100.0%）；当月办件量最高的是8月10日，达150件。",
    "8月10日起办件量陡增：当日办件150件，至8月31日（16个工作日）日均150.0件，此前日均90.0件，"
    "增加66.67%；主要来自企保待遇通办（增加300.00%，占增量的100.0%）。",
    "9月办件1,980件，日均90.0件，比8月（日均135.7件）减少33.68%；"
    "主要在企保待遇通办（减少69.57%，占减量的100.0%）。",
    "9月1日起办件量明显下降：当日办件90件，至10月30日（44个工作日）日均90.0件，此前日均150.0件，"
    "减少40.00%；主要在企保待遇通办（减少75.00%，占减量的100.0%）。",
    "11月办件2,940件，日均140.0件，比10月（日均90.0件）增加55.56%；"
    "主要来自医保通办（增加250.00%，占增量的100.0%）；当月办件量最高的是11月2日，达140件。",
    "11月2日起办件量陡增：当日办件140件，至12月31日（44个工作日）日均155.7件，此前日均90.0件，"
    "增加72.98%；主要来自医保通办（增加328.41%，占增量的100.0%）。",
    "12月办件3,910件，日均170.0件，在11月大幅增加的基础上再增加21.43%（11月日均140.0件）；"
    "主要来自医保通办（增加42.86%，占增量的100.0%）；当月办件量最高的是12月1日，达170件。",
    "分片区同比（2020年与2019年相比）：社保通办办件10,480件，比上年（12,000件）减少12.67%；"
    "医保通办办件8,130件，比上年（4,000件）增加103.25%；企保待遇通办办件6,200件，上年无办件；"
    "专业窗口办件2,620件，比上年（3,000件）减少12.67%。",
    "评价率从6月的60.00%逐步提高到12月的100.00%，提高40.00个百分点；"
    "升幅最大的是7月，比6月提高20.00个百分点。",
]


def test_the_sentences_in_english(seed_like):
    with translation.override("en"):
        sentences = story_sentences(annual_story(hall=seed_like, year=2020))

    assert sentences == SENTENCES_EN


def test_the_sentences_in_chinese(seed_like):
    """Chinese from the zh-hans catalogue (the entries of this part: annual's .po)."""
    with translation.override("zh-hans"):
        lines = story_lines(annual_story(hall=seed_like, year=2020))

    assert [text for kind, text in lines if kind == SENTENCE] == SENTENCES_ZH
    assert [text for kind, text in lines if kind == HEADING] == [
        "异常月份及其成因",
        "分片区同比",
        "评价率",
    ]


def test_a_flat_year_says_no_month_was_unusual(hall_a):
    seed_like_year(hall_a, flat=True)

    with translation.override("en"):
        lines = story_lines(annual_story(hall=hall_a, year=2020))

    assert lines == [
        (HEADING, "Unusual months and the days behind them"),
        (
            SENTENCE,
            "A month is unusual when its items per working day changed on the month before "
            "by more than 10.00% (twice the year's median change, at least 10%).",
        ),
        (
            SENTENCE,
            "No month's items per working day changed by more than 10.00% on the month before.",
        ),
    ]


def test_without_the_year_before_there_is_no_year_on_year_sentence(hall_a):
    seed_like_year(hall_a)

    with translation.override("en"):
        sentences = story_sentences(annual_story(hall=hall_a, year=2020))

    assert sentences == SENTENCES_EN[:8] + SENTENCES_EN[9:]
    assert not any("Year on year" in sentence for sentence in sentences)


def test_a_change_no_zone_carried_says_so(hall_a):
    """November's rise spread over five windows, none with a quarter of it: the sentence
    names the largest part and says no zone or window carried it."""
    windows = seed_like_year(hall_a, flat=True)
    november = DailyFigures.objects.filter(hall=hall_a, day__month=11)
    for name, extra in (("社保通办", 24), ("医保通办", 23), ("企保待遇通办", 23), ("专业", 22)):
        november.filter(window=windows[name]).update(
            items=F("items") + extra, visits=F("visits") + extra
        )
    new = WindowFactory(hall=hall_a, number=31, name="失业保险窗口", zone=windows["专业"].zone)
    DailyFigures.objects.bulk_create(
        _row(hall_a, new, day, 18) for day in working_days(2020) if day.month == 11
    )

    with translation.override("en"):
        story = annual_story(hall=hall_a, year=2020)
        sentence = month_sentence(story.unusual_months[0])

    assert sentence == (
        "November: 4,200 items, 200.0 a working day, 122.22% more than in October "
        "(90.0 a day); no one zone or window carried it (the largest part, 21.8%, at "
        "社保通办); the busiest day was 2 November with 200 items."
    )


def test_a_zone_opened_in_the_year_and_a_falling_evaluation_rate(hall_a):
    """企保待遇通办 opens in July (the seed's 2020): July's rise is its, new; every visit
    rated in January, none from March: the rate fell, with no rise to name."""
    windows = seed_like_year(hall_a, flat=True)
    rows = DailyFigures.objects.filter(hall=hall_a)
    rows.filter(day__month__lt=7, window=windows["企保待遇通办"]).delete()
    rows.filter(day__month=1).update(rated=F("visits"))

    with translation.override("en"):
        sentences = story_sentences(annual_story(hall=hall_a, year=2020))

    assert sentences[1:] == [
        "July: 2,070 items, 90.0 a working day, 28.57% more than in June (70.0 a day); "
        "driven by 企保待遇通办 (new, 100.0% of the increase); "
        "the busiest day was 1 July with 90 items.",
        "From 1 July items jumped: 90 that day, 90.0 a day to 31 December (132 working days) "
        "against 70.0 a day before, 28.57% more; "
        "driven by 企保待遇通办 (new, 100.0% of the increase).",
        "The evaluation rate fell from 100.00% in January to 0.00% in December, "
        "100.00 percentage points.",
    ]


def test_a_zone_that_moved_unlike_the_hall_has_its_own_months(hall_a):
    """社保通办 400 a day, so 医保通办's enrolment (20 a day, 44 in November, 62 in
    December) moves the hall by only 5% and 4%: no month of the hall's is unusual, but
    医保通办's share of the hall's items doubles in November and rises a third more in
    December; the other units' shares barely move."""
    windows = seed_like_year(hall_a, flat=True)
    rows = DailyFigures.objects.filter(hall=hall_a)
    rows.filter(window=windows["社保通办"]).update(items=400, visits=400)
    for month, items in ((11, 44), (12, 62)):
        rows.filter(day__month=month, window=windows["医保通办"]).update(items=items, visits=items)

    with translation.override("en"):
        story = annual_story(hall=hall_a, year=2020)
        sentences = story_sentences(story)

    assert story.unusual_months == ()
    assert story.steps == ()
    assert story.zone_months == (
        # 21 x 44 = 924 of 21 x 474 = 9,954 items; 23 x 62 = 1,426 of 23 x 492 = 11,316.
        ZoneMonth(11, "医保通办", 924, 44.0, 20.0, 120.0, 9.3, False),
        ZoneMonth(12, "医保通办", 1_426, 62.0, 44.0, 40.91, 12.6, True),
    )
    assert sentences[1:] == [
        "No month's items per working day changed by more than 10.00% on the month before.",
        "November at 医保通办: 924 items, 44.0 a working day, 120.00% more than in October "
        "(20.0 a day), 9.3% of the hall's items.",
        "December at 医保通办: 1,426 items, 62.0 a working day, a further 40.91% on top of "
        "November's rise (44.0 a day), 12.6% of the hall's items.",
    ]


def test_a_zone_whose_share_rose_only_as_the_hall_fell_has_no_month(hall_a):
    """In September every unit but 医保通办 halves: its share doubles, its own items do
    not move; the hall's fall is told, 医保通办 has no month of its own."""
    windows = seed_like_year(hall_a, flat=True)
    september = DailyFigures.objects.filter(hall=hall_a, day__month=9).exclude(
        window=windows["医保通办"]
    )
    september.update(items=F("items") / 2, visits=F("visits") / 2)

    story = annual_story(hall=hall_a, year=2020)

    assert [(m.month, m.change_pct) for m in story.unusual_months] == [(9, -38.89), (10, 63.64)]
    assert story.zone_months == ()


def test_a_zones_month_in_chinese(hall_a):
    """The seed's 分析四 in the words of the zh-hans catalogue (annual's .po)."""
    windows = seed_like_year(hall_a, flat=True)
    rows = DailyFigures.objects.filter(hall=hall_a)
    rows.filter(window=windows["社保通办"]).update(items=400, visits=400)
    for month, items in ((11, 44), (12, 62)):
        rows.filter(day__month=month, window=windows["医保通办"]).update(items=items, visits=items)

    with translation.override("zh-hans"):
        sentences = story_sentences(annual_story(hall=hall_a, year=2020))

    assert sentences[2:] == [
        "11月医保通办办件924件，日均44.0件，比10月（日均20.0件）增加120.00%，占全厅办件量的9.3%。",
        "12月医保通办办件1,426件，日均62.0件，在11月大幅增加的基础上再增加40.91%"
        "（11月日均44.0件），占全厅办件量的12.6%。",
    ]
