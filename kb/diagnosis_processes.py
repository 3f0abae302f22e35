"""Large logs diagnosed in processes of their own, so that the worker that took them goes on
answering.

The engine holds the GIL while it reads a log (RE2 does not release it). A gunicorn worker
accepts every connection that is ready when it wakes, so three 5 MB logs sent at once landed in
one worker and ran there one after another (2.3 s each), and that worker's pages waited behind
them (528 ms median). Sent to a child process, each large log has a core of its own, whichever
worker took it, while the worker's threads wait for it without holding the GIL.

A worker spawns a child when a large log finds none free (spawned, not forked: a worker runs
threads, which fork does not copy safely), one per core at most, and keeps them. A child is
sent the published signatures with every log (197 signatures pickle to 29 KB) and compiles them
once per signature version (20 ms), so an edit reaches it as it reaches the worker.

A worker holds only so many large logs at once, running or waiting for a child; past that it
refuses the next one (DiagnosisBusy), so that threads are left to answer its pages.
"""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import NamedTuple

from kb.diagnosis import Diagnosis, Matcher, Signature


class DiagnosisBusy(Exception):
    """This worker already holds as many large logs as it may."""


class PublishedSignatures(NamedTuple):
    version: str  # the signature version (kb.signature_version) they were read at
    signatures: list[Signature]
    refines: dict[str, list[str]]


class DiagnosisProcesses:
    """A worker's children, started on first use and started anew once one has died."""

    def __init__(self) -> None:
        self._forget()
        # A forked copy of this process (a test runner's child) starts children of its own.
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._logs_held = 0

    def diagnose(self, published: PublishedSignatures, log: bytes, most_held: int) -> Diagnosis:
        """The diagnosis of ``log`` in a child; DiagnosisBusy while this worker already holds
        ``most_held`` logs."""
        with self._lock:
            if self._logs_held >= most_held:
                raise DiagnosisBusy
            self._logs_held += 1
        try:
            return self._diagnose(published, log)
        finally:
            with self._lock:
                self._logs_held -= 1

    def _diagnose(self, published: PublishedSignatures, log: bytes) -> Diagnosis:
        pool = self._running()
        try:
            return pool.submit(diagnose_in_child, published, log).result()
        except BrokenProcessPool:  # a child was killed (out of memory, by hand): once more, afresh
            self._discard(pool)
            return self._running().submit(diagnose_in_child, published, log).result()

    def _running(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                spawn = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(os.cpu_count(), spawn, initializer=exit_with_parent)
            return self._pool

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:  # not yet replaced by another thread
                self._pool = None
        broken.shutdown(wait=False)


pool = DiagnosisProcesses()

# In a child: the matcher compiled from the last signature version it was sent.
_child_matchers: dict[str, Matcher] = {}


def diagnose_in_child(published: PublishedSignatures, log: bytes) -> Diagnosis:
    matcher = _child_matchers.get(published.version)
    if matcher is None:
        _child_matchers.clear()
        matcher = _child_matchers[published.version] = Matcher(published.signatures, published.refines)
    return matcher.diagnose(log)


def exit_with_parent() -> None:
    """A child's first step: leave with the worker, even one killed outright (gunicorn kills a
    worker that stops answering), instead of waiting for work forever."""
    threading.Thread(target=exit_once_parent_exits, daemon=True).start()


def exit_once_parent_exits() -> None:
    multiprocessing.parent_process().join()
    os._exit(0)
