"""Produce an iterator's items in a forked child process while this process consumes them.

For the command line's visits import: the child reads and checks the file (pure Python)
while this process writes to the database, so the server's two cores both work. A
thread would not do: the sqlite3 module releases Python's lock at every row it writes
and then waits for the parsing thread to hand it back.

Fork, not spawn: the child starts with everything already loaded (Django, the import's
lookup dicts, the active language). The child must not touch the database: the
connection it inherited belongs to this process's transaction. It leaves with os._exit
(multiprocessing's children do), so that connection is not closed from the child
either. Only for a process with a single thread (a management command), as fork is.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
_ITEM, _DONE, _FAILED = "item", "done", "failed"


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def produced_in_child(items: Iterator[T]) -> Iterator[T]:
    """Yield what `items` yields, produced in a forked child; its exceptions raised here.

    The pipe between the two holds little, so the child runs at most an item or two
    ahead. When the consumer stops early the child is ended.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(items, sender), daemon=True)
    child.start()
    sender.close()  # the child's end; EOF here once the child has gone
    try:
        while True:
            try:
                kind, value = receiver.recv()
            except EOFError:
                raise RuntimeError(
                    f"the import's reading process ended unexpectedly (exit code {child.exitcode})"
                ) from None
            if kind == _DONE:
                return
            if kind == _FAILED:
                raise value
            yield value
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _produce(items: Iterator[T], sender: Connection) -> None:
    try:
        for item in items:
            sender.send((_ITEM, item))
        sender.send((_DONE, None))
    except BaseException as exc:  # raised again in the consumer
        sender.send((_FAILED, exc))
    finally:
        sender.close()
