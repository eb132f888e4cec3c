"""The extension points: what a higher app registers is what a lower page shows."""

from complaints.hooks import case_panels, dashboard_tiles
from complaints.panels import duty_alerts_at_home, duty_alerts_on_console
from evaluations.hooks import week_panels
from evaluations.panels import console_day_panels
from rectification.panels import (
    case_measure_panel,
    completion_tile,
    week_measure_panel,
    window_inspections,
)
from reports.surge.panels import surge_alerts_at_home, surge_alerts_on_console
from windows.hooks import Hook, Panel, console_panels, home_panels, panels_by_slot, window_records


def test_collect_calls_each_function_in_order_and_drops_none():
    hook = Hook("test")
    hook.register(lambda *, n: n * 2)
    hook.register(lambda *, n: None)
    hook.register(lambda *, n: n + 1)

    assert hook.collect(n=5) == [10, 6]


def test_registering_the_same_function_twice_keeps_one():
    hook = Hook("test")

    def part(*, n):
        return n

    hook.register(part)
    hook.register(part)

    assert hook.collect(n=1) == [1]
    assert repr(hook) == "<Hook test: 1 registered>"


def test_panels_are_grouped_by_slot_and_a_function_may_give_several():
    alerts = Panel("a.html", slot="alerts")
    side, below = Panel("s.html", slot="side"), Panel("b.html", slot="below")
    main = Panel("m.html")

    assert panels_by_slot([alerts, [side, below], main]) == {
        "alerts": [alerts],
        "side": [side],
        "below": [below],
        "main": [main],
    }


def test_each_app_registers_its_parts_in_ready_in_installed_apps_order():
    assert console_panels._functions == [
        console_day_panels,
        duty_alerts_on_console,
        surge_alerts_on_console,
    ]
    assert home_panels._functions == [duty_alerts_at_home, surge_alerts_at_home]
    assert window_records._functions == [window_inspections]
    assert case_panels._functions == [case_measure_panel]
    assert week_panels._functions == [week_measure_panel]
    assert dashboard_tiles._functions == [completion_tile]
