"""The figures of a run: latencies, the CPU a phase used, and the table printed at the end."""

from __future__ import annotations

import os
import time
from pathlib import Path


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def latency(values: list[float], shares=(0.5, 0.95)) -> dict:
    figures = {"count": len(values)}
    for share in shares:
        figures[f"p{round(share * 100)}_ms"] = ms(percentile(values, share))
    figures["max_ms"] = ms(max(values)) if values else None
    return figures


def console_figures(run: dict) -> dict:
    posts = run["start"] + run["finish"]
    return {
        "seconds": round(run["ended"] - run["started"], 1),
        "tickets": run["tickets"],
        "get": latency(run["get"]),
        "post": latency(posts),
        "post_start": latency(run["start"]),
        "post_finish": latency(run["finish"]),
        "get_under_200ms_share": round(sum(t < 0.2 for t in run["get"]) / len(run["get"]), 3)
        if run["get"]
        else None,
        "errors": run["errors"][:20],
        "error_count": len(run["errors"]),
    }


def state_figures(samples: list, since: float, until: float) -> dict:
    inside = [s for s in samples if since <= s[0] <= until]
    statuses: dict[str, int] = {}
    for sample in inside:
        statuses[str(sample[2])] = statuses.get(str(sample[2]), 0) + 1
    served = [s[1] for s in inside if s[2] in (200, 304)]  # 304: unchanged, per its ETag
    full = [s[1] for s in inside if s[2] == 200]
    return {
        "requests": len(inside),
        "served_per_second": round(len(served) / (until - since), 1),
        "statuses": statuses,
        **latency(served, (0.5, 0.95, 0.99)),
        "full_state": latency(full, (0.5, 0.95)),
    }


class CpuMeter:
    """The machine's busy share (/proc/stat) and gunicorn's CPU seconds over a phase."""

    def __init__(self, master_pid: int | None) -> None:
        self.master_pid = master_pid
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.machine = self._machine()
        self.server = self._server()
        self.load = os.getloadavg()[0]
        self.started = time.monotonic()

    @staticmethod
    def _machine() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def _server(self) -> float:
        if self.master_pid is None:
            return 0.0
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            pid, parent = int(entry.name), int(fields[1])
            if pid == self.master_pid or parent == self.master_pid:
                total += int(fields[11]) + int(fields[12])
        return total / self.ticks

    def stop(self) -> dict:
        busy, total = self._machine()
        seconds = time.monotonic() - self.started
        return {
            "machine_busy_pct": round(
                100 * (busy - self.machine[0]) / max(1, total - self.machine[1]), 1
            ),
            "gunicorn_cpu_pct_of_one_core": round(
                100 * (self._server() - self.server) / seconds, 1
            ),
            "loadavg_1min_before": round(self.load, 2),
            "loadavg_1min_after": round(os.getloadavg()[0], 2),
        }


def print_table(result: dict) -> None:
    alone = result["phases"]["console_alone"]
    loaded = result["phases"]["with_tablets"]
    full = result["phases"]["with_tablets_no_etag"]
    state = loaded["state"]
    print()
    visits = result["tables"]["Visit"]
    print(f"== {result['database']}  ({result['cpu_count']} CPUs, gunicorn "
          f"{result['gunicorn_workers']} sync workers, {visits:,} visits)")  # fmt: skip
    print(f"{'':34} {'p50 ms':>8} {'p95 ms':>8} {'p99/max':>9} {'n':>6}")
    for label, phase in (("ETag", loaded), ("no ETag", full)):
        state = phase["state"]
        print(
            f"{'state, 50 tablets, ' + label:34} {state['p50_ms']:>8} {state['p95_ms']:>8} "
            f"{state['p99_ms']:>9} {state['count']:>6}   {state['served_per_second']} req/s"
        )
    for label, phase in (("alone", alone), ("tablets, ETag", loaded), ("tablets, no ETag", full)):
        console = phase["console"]
        for kind in ("get", "post"):
            row = console[kind]
            print(
                f"{'console ' + kind.upper() + ', ' + label:34} {row['p50_ms']:>8} "
                f"{row['p95_ms']:>8} {row['max_ms']:>9} {row['count']:>6}"
            )
        print(f"{'  errors, CPU':34} {console['error_count']} errors, machine "
              f"{phase['cpu']['machine_busy_pct']}% busy, gunicorn "
              f"{phase['cpu']['gunicorn_cpu_pct_of_one_core']}% of a core")  # fmt: skip
    for label, profile in result["profile"].items():
        print(f"profile {label}: {profile['queries']} queries, "
              f"{profile['in_process_median_ms']} ms in process (median)")  # fmt: skip
