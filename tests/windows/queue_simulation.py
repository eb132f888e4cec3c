"""A day of the hall's own queue at the seed's peak, simulated through the services.

The peak day of the seed (10 August 2020: 1,404 items) in a hall laid out as the seed's
is: three general zones (社保通办 12 windows, 医保通办 4, 企保待遇通办 4) and three
specialist windows, 23 windows in all, with the default business categories (A, B, C for
the zones, D for the specialist windows) and window 12 also calling 医保 (B) tickets.

`plan_day` draws the citizens from a seeded random generator: arrivals over the day with a
morning and an afternoon peak, the category, the items, service and walking times, a few
priority tickets (绿色通道) and appointments, citizens who come only after a recall (重呼),
no-shows (过号) and transfers (转办) from 社保 to the specialist windows.

`simulate` plays them with a deterministic clock (whole seconds): every window calls the
next ticket whenever it is free. Beside the services it keeps its own model of the queue
and, at each call, the ticket the rule (transfers, due appointments, priority, first come;
then issue time) says the window must get; a call that returns another ticket is recorded
in `skipped`. The result holds the simulated times of every visit, for the tests and for
bench/queue_peak_day.py to compare with what the database computes.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from windows.models import QueueCategory, ServiceItem, Staff, Visit, Window, Zone
from windows.queue.defaults import default_categories_create
from windows.queue.selectors import waiting_counts
from windows.queue.services import (
    ticket_call_next,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_start,
    ticket_transfer,
)
from windows.services import visit_finish, window_sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")
PEAK_DAY = date(2020, 8, 10)
PEAK_ITEMS = 1404
SEED = 20200810
ZONES = (("社保通办", range(1, 13)), ("医保通办", range(13, 17)), ("企保待遇通办", range(17, 21)))
SPECIALIST_WINDOWS = (21, 22, 23)
CATEGORY_SHARES = (("A", 0.55), ("B", 0.20), ("C", 0.15), ("D", 0.10))
OPENS = 8 * 3600 + 30 * 60  # 08:30, when tickets are issued and windows open
CLOSES = 17 * 3600  # 17:00, the last ticket; windows serve whoever is still waiting
SAMPLE_EVERY = 30 * 60
RECALL_AFTER = 45  # seconds between a call and its recall, and between recalls


def moment(seconds: int, day: date = PEAK_DAY) -> datetime:
    """The hall's local time `seconds` after midnight of the day, as an aware datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(seconds=seconds)


def clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}"


@dataclass
class Leg:
    """One ticket at one window: its items, its walk to the window, its service."""

    items: int
    walk: int
    service: int


@dataclass
class Citizen:
    seq: int
    arrive: int  # seconds after midnight
    category: str  # prefix
    lane: str
    due: int | None  # an appointment's slot
    behaviour: str  # "normal", "late" (comes after one recall) or "no_show"
    legs: list[Leg]  # two for a transfer: served at the first window, then the second
    transfer_to: str | None = None


@dataclass
class Ticket:
    """A waiting or served visit as the simulation expects it."""

    citizen: Citizen
    leg: int
    category: str
    lane: str
    issued: int
    visit_id: int
    order: int  # issue order (the visits' pk follows it)
    called: int | None = None
    window: int | None = None
    started: int | None = None
    ended: int | None = None
    outcome: str | None = None  # completed, transferred, no_show
    recalls: int = 0

    @property
    def wait(self) -> int:
        return self.called - self.issued

    def rank(self, now: int) -> tuple:
        if self.lane == Visit.Lane.TRANSFER:
            lane_rank = 0
        elif self.lane == Visit.Lane.APPOINTMENT and self.citizen.due <= now:
            lane_rank = 1
        elif self.lane == Visit.Lane.PRIORITY:
            lane_rank = 2
        else:
            lane_rank = 3
        return (lane_rank, self.issued, self.order)


@dataclass
class DayResult:
    hall: object
    day: date
    tickets: list[Ticket]  # every visit, in issue order
    skipped: list[str] = field(default_factory=list)  # calls that broke the rule
    samples: list[tuple[int, dict[str, int], dict[str, int]]] = field(default_factory=list)
    # (time, the model's waiting per category, the database's waiting_counts)
    categories: dict[str, str] = field(default_factory=dict)  # prefix -> name
    window_categories: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _pick(rng: random.Random, shares) -> str:
    roll = rng.random()
    for value, share in shares:
        if roll < share:
            return value
        roll -= share
    return shares[-1][0]


def _arrival(rng: random.Random) -> int:
    """Seconds after midnight: a morning peak (about 09:45), an afternoon one (about
    14:45), and a steady trickle all day."""
    roll = rng.random()
    if roll < 0.42:
        seconds = rng.gauss(9.75 * 3600, 40 * 60)
    elif roll < 0.82:
        seconds = rng.gauss(14.75 * 3600, 40 * 60)
    else:
        seconds = rng.uniform(OPENS, CLOSES)
    return int(min(max(seconds, OPENS), CLOSES - 60))


def _service(rng: random.Random, category: str, items: int) -> int:
    low, high = (240, 480) if category == "D" else (150, 330)
    return sum(rng.randint(low, high) for _ in range(items))


def plan_day(*, seed: int = SEED, items: int = PEAK_ITEMS) -> list[Citizen]:
    """The day's citizens, in order of arrival, whose completed visits handle `items`."""
    rng = random.Random(seed)
    citizens: list[Citizen] = []
    left = items
    while left:
        category = _pick(rng, CATEGORY_SHARES)
        arrive = _arrival(rng)
        lane, due = Visit.Lane.NORMAL, None
        roll = rng.random()
        if roll < 0.03:
            lane = Visit.Lane.PRIORITY
        elif roll < 0.06 and arrive < CLOSES - 3600:
            # Booked for the next half hour's slot, checked in at the kiosk before it.
            lane, due = Visit.Lane.APPOINTMENT, (arrive // 1800 + 1) * 1800
        roll = rng.random()
        behaviour = "no_show" if roll < 0.04 else "late" if roll < 0.08 else "normal"
        count = min(_pick(rng, ((1, 0.6), (2, 0.3), (3, 0.1))), left)
        transfer_to = None
        legs = []
        if behaviour == "normal" and category == "A" and rng.random() < 0.03:
            transfer_to = "D"
            legs.append(Leg(items=1, walk=rng.randint(20, 90), service=rng.randint(90, 240)))
        if behaviour != "no_show":
            left -= count
        final_category = transfer_to or category
        legs.append(
            Leg(items=count, walk=rng.randint(20, 90), service=_service(rng, final_category, count))
        )
        citizens.append(
            Citizen(
                seq=len(citizens),
                arrive=arrive,
                category=category,
                lane=lane,
                due=due,
                behaviour=behaviour,
                legs=legs,
                transfer_to=transfer_to,
            )
        )
    citizens.sort(key=lambda citizen: (citizen.arrive, citizen.seq))
    return citizens


def hall_build(hall) -> dict:
    """The seed's layout in the hall: zones, 23 windows with a signed-in staff member each,
    the default categories, and three service items per category."""
    windows = {}
    for order, (name, numbers) in enumerate(ZONES):
        zone = Zone.objects.create(hall=hall, name=name, kind=Zone.Kind.GENERAL, sort_order=order)
        for number in numbers:
            windows[number] = Window.objects.create(
                hall=hall, number=number, zone=zone, name=f"{number}号窗口"
            )
    for number in SPECIALIST_WINDOWS:
        windows[number] = Window.objects.create(hall=hall, number=number, name=f"{number}号专窗")
    default_categories_create(hall=hall)
    categories = {c.prefix: c for c in QueueCategory.objects.filter(hall=hall)}
    categories["B"].windows.add(windows[12])  # window 12 helps with 医保 tickets
    items = {
        prefix: [
            ServiceItem.objects.get_or_create(
                code=f"Q{prefix}{n}", defaults={"name": f"{category.name}事项{n}"}
            )[0]
            for n in range(1, 4)
        ]
        for prefix, category in categories.items()
    }
    sessions = {}
    for number, window in windows.items():
        staff = Staff.objects.create(
            hall=hall, badge_no=f"Q{number:03d}", display_name=f"窗口{number}号"
        )
        sessions[number] = window_sign_in(staff=staff, window=window, now=moment(OPENS - 600))
    return {"categories": categories, "items": items, "sessions": sessions}


class _Day:
    def __init__(self, hall, citizens: list[Citizen]) -> None:
        self.hall = hall
        built = hall_build(hall)
        self.categories = built["categories"]
        self.items = built["items"]
        self.sessions = built["sessions"]
        self.serves = {
            number: tuple(
                QueueCategory.objects.served_by(session.window).values_list("prefix", flat=True)
            )
            for number, session in self.sessions.items()
        }
        self.result = DayResult(
            hall=hall,
            day=PEAK_DAY,
            tickets=[],
            categories={p: c.name for p, c in self.categories.items()},
            window_categories=self.serves,
        )
        self.waiting: dict[str, list[Ticket]] = {prefix: [] for prefix in self.categories}
        self.held: dict[int, Ticket | None] = dict.fromkeys(self.sessions)
        self.visits: dict[int, Visit] = {}
        self.events: list = []
        self.counter = 0
        for citizen in citizens:
            self.schedule(citizen.arrive, "arrive", citizen)
        for sample in range(OPENS, CLOSES + 1, SAMPLE_EVERY):
            self.schedule(sample, "sample", None)

    def schedule(self, at: int, kind: str, payload) -> None:
        self.counter += 1
        heapq.heappush(self.events, (at, self.counter, kind, payload))

    def run(self) -> DayResult:
        while self.events:
            now, _, kind, payload = heapq.heappop(self.events)
            getattr(self, f"on_{kind}")(now, payload)
            self.dispatch(now)
        return self.result

    # --- the citizens' side -------------------------------------------------------------

    def issue(self, now: int, citizen: Citizen, leg: int, visit: Visit, category: str) -> None:
        ticket = Ticket(
            citizen=citizen,
            leg=leg,
            category=category,
            lane=visit.lane,
            issued=now,
            visit_id=visit.pk,
            order=len(self.result.tickets),
        )
        self.result.tickets.append(ticket)
        self.waiting[category].append(ticket)
        self.visits[visit.pk] = visit

    def on_arrive(self, now: int, citizen: Citizen) -> None:
        visit = ticket_issue(
            category=self.categories[citizen.category],
            lane=citizen.lane,
            due_at=moment(citizen.due) if citizen.due is not None else None,
            now=moment(now),
        )
        self.issue(now, citizen, 0, visit, citizen.category)

    def on_sample(self, now: int, _payload) -> None:
        model = {prefix: len(tickets) for prefix, tickets in self.waiting.items()}
        db = {q.category.prefix: q.waiting for q in waiting_counts(hall=self.hall, day=PEAK_DAY)}
        self.result.samples.append((now, model, db))

    # --- the windows' side --------------------------------------------------------------

    def dispatch(self, now: int) -> None:
        """Every free window with a ticket waiting in its categories calls (叫号)."""
        for number, held in self.held.items():
            if held is None and any(self.waiting[p] for p in self.serves[number]):
                self.call(now, number)

    def call(self, now: int, number: int) -> None:
        candidates = [t for p in self.serves[number] for t in self.waiting[p]]
        expected = min(candidates, key=lambda ticket: ticket.rank(now))
        visit = ticket_call_next(session=self.sessions[number], now=moment(now))
        ticket = next(t for ts in self.waiting.values() for t in ts if t.visit_id == visit.pk)
        if ticket is not expected:
            self.result.skipped.append(
                f"{clock(now)} window {number} got {visit.ticket_no}, "
                f"the rule says {self.visits[expected.visit_id].ticket_no}"
            )
        self.waiting[ticket.category].remove(ticket)
        ticket.called, ticket.window = now, number
        self.held[number] = ticket
        self.visits[visit.pk] = visit
        leg = ticket.citizen.legs[ticket.leg]
        behaviour = ticket.citizen.behaviour if ticket.leg == 0 else "normal"
        if behaviour == "no_show":
            limit = self.hall.queue_recall_limit
            for n in range(1, limit + 1):
                self.schedule(now + n * RECALL_AFTER, "recall", number)
            self.schedule(now + (limit + 1) * RECALL_AFTER, "no_show", number)
        elif behaviour == "late":
            self.schedule(now + RECALL_AFTER, "recall", number)
            self.schedule(now + RECALL_AFTER + leg.walk, "start", number)
        else:
            self.schedule(now + leg.walk, "start", number)

    def on_recall(self, now: int, number: int) -> None:
        ticket = self.held[number]
        visit = ticket_recall(
            session=self.sessions[number], visit=self.visits[ticket.visit_id], now=moment(now)
        )
        self.visits[visit.pk] = visit
        ticket.recalls += 1

    def on_no_show(self, now: int, number: int) -> None:
        ticket = self.held[number]
        ticket_no_show(
            session=self.sessions[number], visit=self.visits[ticket.visit_id], now=moment(now)
        )
        ticket.started, ticket.ended, ticket.outcome = now, None, Visit.Status.NO_SHOW
        self.held[number] = None

    def on_start(self, now: int, number: int) -> None:
        ticket = self.held[number]
        leg = ticket.citizen.legs[ticket.leg]
        visit = ticket_start(
            session=self.sessions[number],
            visit=self.visits[ticket.visit_id],
            service_items=self.items[ticket.category][: leg.items],
            now=moment(now),
        )
        self.visits[visit.pk] = visit
        ticket.started = now
        last = ticket.leg == len(ticket.citizen.legs) - 1
        self.schedule(now + leg.service, "finish" if last else "transfer", number)

    def on_finish(self, now: int, number: int) -> None:
        ticket = self.held[number]
        visit_finish(
            session=self.sessions[number], visit=self.visits[ticket.visit_id], now=moment(now)
        )
        ticket.ended, ticket.outcome = now, Visit.Status.COMPLETED
        self.held[number] = None

    def on_transfer(self, now: int, number: int) -> None:
        ticket = self.held[number]
        target = ticket.citizen.transfer_to
        waiting = ticket_transfer(
            session=self.sessions[number],
            visit=self.visits[ticket.visit_id],
            category=self.categories[target],
            now=moment(now),
        )
        ticket.ended, ticket.outcome = now, Visit.Status.TRANSFERRED
        self.held[number] = None
        self.issue(now, ticket.citizen, ticket.leg + 1, waiting, target)


def simulate(hall, *, seed: int = SEED, items: int = PEAK_ITEMS) -> DayResult:
    """Play the planned day in the hall (which must have no zones or windows yet)."""
    return _Day(hall, plan_day(seed=seed, items=items)).run()


def percentile_90(values: list[float]) -> float | None:
    """percentile_cont(0.9), as PostgreSQL and reports.selectors.periods compute it."""
    if not values:
        return None
    ordered = sorted(values)
    position = 0.9 * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
