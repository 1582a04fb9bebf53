"""Each question's critique, written in the background as soon as the question ends.

An LLM takes seconds per critique. Asked for one after another after the closing line, a
three-question interview kept the candidate waiting for all three; graded while the next
question is asked, only the last one is left when the interview ends.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator.core.contracts import Interviewer, QuestionGrade, QuestionRecord

# How often the wait for the last critiques reports its progress.
PROGRESS_EVERY = 0.2


@dataclass
class _Job:
    record: QuestionRecord
    done: threading.Event = field(default_factory=threading.Event)
    grade: QuestionGrade | None = None
    error: BaseException | None = None


class BackgroundGrader:
    """Grades finished questions one at a time, in the order they were asked.

    One at a time because a local server often has a single slot: two critiques at once would
    each take twice as long, and a follow-up would queue behind both. The worker is a daemon
    thread, so a candidate who stops the interview is not kept waiting for a reply nobody
    will read.
    """

    def __init__(self, interviewer: Interviewer):
        self._interviewer = interviewer
        self._jobs: list[_Job] = []
        self._queue: queue.Queue[_Job] = queue.Queue()
        self._worker: threading.Thread | None = None

    def add(self, record: QuestionRecord) -> None:
        job = _Job(record)
        self._jobs.append(job)
        self._queue.put(job)
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="critique", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                job.grade = self._interviewer.grade(job.record)
            except BaseException as exc:  # raised again where the grades are collected
                job.error = exc
            finally:
                job.done.set()

    def grades(self, progress: Callable[[str], None] = lambda _text: None) -> list[QuestionGrade]:
        """Every question's grade, waiting for those still being written.

        `progress` is told which question is being waited for and for how long, a few times a
        second, so that the wait is never silent.
        """
        started = time.monotonic()
        total = len(self._jobs)
        out = []
        for n, job in enumerate(self._jobs, 1):
            while not job.done.wait(PROGRESS_EVERY):
                progress(f"Writing your critique: question {n} of {total} "
                         f"({time.monotonic() - started:.0f} s)")
            if job.error is not None:
                raise job.error
            assert job.grade is not None
            out.append(job.grade)
        return out
