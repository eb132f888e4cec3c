"""A bounded async load generator: `concurrency` clients, each sending its next request
as soon as its previous answer is read (a closed loop), one connection per request (the
portal's gunicorn sync workers close each connection anyway)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HOST = "127.0.0.1"
TIMEOUT = 30.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict
    body: bytes = b""
    expect: tuple[int, ...] = (200,)


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # seconds, answered as expected
    unexpected: dict[str, int] = field(default_factory=dict)  # "status: path" -> count
    started: float = 0.0
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started


async def _send(port: int, request: Request) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        head = [f"{request.method} {request.path} HTTP/1.1", f"Host: {HOST}:{port}",
                "Connection: close", f"Content-Length: {len(request.body)}"]  # fmt: skip
        head += [f"{name}: {value}" for name, value in request.headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body)
        await writer.drain()
        answer = await reader.read()  # to the end: the server closes the connection
    finally:
        writer.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return status, answer


async def _run(port: int, requests: list[Request], concurrency: int, outcome: Outcome,
               check: Callable[[Request, int, bytes], str | None] | None) -> None:  # fmt: skip
    queue = iter(requests)

    async def client() -> None:
        for request in queue:  # the iterator is shared: each request is taken once
            started = time.perf_counter()
            try:
                status, answer = await asyncio.wait_for(_send(port, request), TIMEOUT)
            except (TimeoutError, OSError) as error:
                status, answer = 0, type(error).__name__.encode()
            took = time.perf_counter() - started
            problem = None if status in request.expect else f"{status}: {request.path}"
            if problem is None and check is not None:
                problem = check(request, status, answer)
            if problem is None:
                outcome.latencies.append(took)
            else:
                outcome.unexpected[problem] = outcome.unexpected.get(problem, 0) + 1

    outcome.started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    outcome.ended = time.perf_counter()


def run(port: int, requests: list[Request], concurrency: int,
        check: Callable[[Request, int, bytes], str | None] | None = None) -> Outcome:  # fmt: skip
    """Send every request, `concurrency` at a time; latency of each answered as expected."""
    outcome = Outcome()
    asyncio.run(_run(port, requests, concurrency, outcome, check))
    return outcome
