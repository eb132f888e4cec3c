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

What the consumer learns while it consumes (the pks of the windows it created for the
child's first chunks) goes back with `reply`: the child takes the replies that have
arrived before it produces its next item, without waiting for them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

T = TypeVar("T")
_ITEM, _DONE, _FAILED = "item", "done", "failed"


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class ProducedInChild(Generic[T]):
    """Iterate over it once to get what `items` yields, produced in a forked child; the
    child's exceptions are raised here. `reply(message)` sends a message back: the child
    passes it to `on_reply` before it produces its next item.

    The pipe between the two holds little, so the child runs at most an item or two
    ahead. When the consumer stops early the child is ended.
    """

    def __init__(self, items: Iterator[T], *, on_reply: Callable[[object], None] | None = None):
        self._items = items
        self._on_reply = on_reply
        self._replies: Connection | None = None

    def reply(self, message: object) -> None:
        if self._replies is None:
            raise RuntimeError("reply() before the child was started")
        try:
            self._replies.send(message)
        except OSError:  # a broken pipe, or closed here after the last item
            pass  # the child has produced everything already: it needs no more

    def __iter__(self) -> Iterator[T]:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        reply_receiver, self._replies = context.Pipe(duplex=False)
        child = context.Process(
            target=_produce,
            args=(self._items, sender, reply_receiver, self._on_reply),
            daemon=True,
        )
        child.start()
        sender.close()  # the child's ends; EOF here once the child has gone
        reply_receiver.close()
        try:
            while True:
                try:
                    kind, value = receiver.recv()
                except EOFError:
                    raise RuntimeError(
                        "the import's reading process ended unexpectedly "
                        f"(exit code {child.exitcode})"
                    ) from None
                if kind == _DONE:
                    return
                if kind == _FAILED:
                    raise value
                yield value
        finally:
            receiver.close()
            self._replies.close()
            if child.is_alive():
                child.terminate()
            child.join()


def produced_in_child(items: Iterator[T]) -> Iterator[T]:
    """Yield what `items` yields, produced in a forked child (no replies)."""
    return iter(ProducedInChild(items))


def _produce(
    items: Iterator[T],
    sender: Connection,
    replies: Connection,
    on_reply: Callable[[object], None] | None,
) -> None:
    try:
        iterator = iter(items)
        while True:
            while replies.poll():
                message = replies.recv()
                if on_reply is not None:
                    on_reply(message)
            try:
                item = next(iterator)
            except StopIteration:
                break
            sender.send((_ITEM, item))
        sender.send((_DONE, None))
    except BaseException as exc:  # raised again in the consumer
        sender.send((_FAILED, exc))
    finally:
        sender.close()
        replies.close()
