"""The local engine: a pool of worker processes on this machine, one per core by default.

A worker that dies (killed, out of memory) breaks Python's pool; the jobs
that were in flight are then given to a fresh pool, up to ``attempts`` times
each, so a killed worker means its recording is retried, not lost.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from formcheck.batch.job import Job, Result, run_job


class LocalEngine:
    name = "local"

    def __init__(self, workers: int, attempts: int = 3):
        self.workers = max(1, workers)
        self.attempts = attempts

    def run(self, jobs: list[Job]) -> Iterator[Result]:
        """Each job's result as it finishes (in no particular order)."""
        pending = list(jobs)
        context = multiprocessing.get_context("spawn")  # the pose process needs a clean, thread-free start
        while pending:
            retry: list[Job] = []
            with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
                futures = {pool.submit(run_job, job): job for job in pending}
                try:
                    while futures:
                        done, _ = wait(futures, return_when=FIRST_COMPLETED)
                        for future in done:
                            job = futures.pop(future)
                            try:
                                yield future.result()
                            except BrokenProcessPool:
                                if job.attempt < self.attempts:
                                    retry.append(replace(job, attempt=job.attempt + 1))
                                else:
                                    yield died(job)
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise
            pending = retry


def died(job: Job) -> Result:
    return Result(
        key=job.recording.key,
        status="failed",
        exit_code=1,
        error=f"its worker died {job.attempt} times",
        attempt=job.attempt,
    )
