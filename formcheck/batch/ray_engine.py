"""The Ray engine: the same per-recording job as Ray tasks, on a Ray cluster or a local one Ray starts.

Everything a task needs travels with it through Ray's object store: the
video's bytes, the model bundle's bytes (put once, checked against its
SHA-256 on the node before use) and the job's settings. The task analyses
into a scratch folder on its node and returns the folder as a tar archive,
which the driver unpacks into the batch's folder: results come back to one
place with no shared file system. A task whose worker or node dies is
retried by Ray (``max_retries``), so the recording is redone, not lost.
Needs the ``ray`` extra: ``pip install -c constraints.txt 'formcheck[ray]'``.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from formcheck.atomic import write_bytes_atomic
from formcheck.batch.job import Job, Result, crash_if_asked, run_job
from formcheck.errors import FormcheckError


def remote_job(job: Job, model: bytes, video: bytes) -> tuple[Result, bytes]:
    """Run on a Ray worker: write the shipped inputs to scratch, run the job there, return result and outputs."""
    from formcheck.pose.models import sha256_of

    crash_if_asked(job)
    models = Path(tempfile.gettempdir()) / "formcheck-models"
    models.mkdir(exist_ok=True)
    bundle = models / f"{job.model_sha256}.task"
    if not bundle.is_file() or sha256_of(bundle.read_bytes()) != job.model_sha256:
        write_bytes_atomic(bundle, model)
    scratch = Path(tempfile.mkdtemp(prefix="formcheck-job-"))
    try:
        source = scratch / "in" / job.recording.path.name
        source.parent.mkdir()
        source.write_bytes(video)
        out = scratch / "out"
        local = replace(
            job,
            recording=replace(job.recording, path=source),
            out_dir=str(out),
            model_path=str(bundle),
            source_name=str(job.recording.path),
        )
        result = run_job(local)
        if result.error:  # name the recording, not its scratch copy
            result.error = result.error.replace(str(source), str(job.recording.path))
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            if out.is_dir():
                tar.add(out, arcname=".")
        return result, archive.getvalue()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def unpack(archive: bytes, out_dir: Path) -> None:
    """Unpack a task's outputs into ``out_dir`` (emptied first); members may not leave it."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r") as tar:
        tar.extractall(out_dir, filter="data")  # 'data': no absolute paths, no '..', no links out


class RayEngine:
    name = "ray"

    def __init__(self, workers: int | None, address: str | None = None, attempts: int = 3):
        try:
            import ray  # noqa: F401
        except ImportError:
            raise FormcheckError(
                "--engine ray needs Ray: pip install -c constraints.txt -e '.[ray]' (or pip install 'ray>=2.50')"
            ) from None
        self.workers, self.address, self.attempts = workers, address, attempts

    def run(self, jobs: list[Job]) -> Iterator[Result]:
        import ray

        started_here = not ray.is_initialized()
        if started_here:
            ray.init(
                address=self.address,
                num_cpus=None if self.address else self.workers,
                include_dashboard=False,
                log_to_driver=False,
                logging_level="ERROR",
                configure_logging=False,
            )
        try:
            yield from self._run(ray, jobs)
        finally:
            if started_here:
                ray.shutdown()

    def _run(self, ray, jobs: list[Job]) -> Iterator[Result]:
        task = ray.remote(num_cpus=1, max_retries=self.attempts - 1, retry_exceptions=False)(remote_job)
        model_path = jobs[0].model_path if jobs else None
        model = ray.put(Path(model_path).read_bytes()) if model_path else None
        cpus = int(ray.cluster_resources().get("CPU", 1))
        window = max(2, 2 * cpus)  # tasks in flight: every CPU busy, a bounded number of videos in memory
        queue = list(jobs)
        running: dict = {}
        while queue or running:
            while queue and len(running) < window:
                job = queue.pop(0)
                try:
                    video = Path(job.recording.path).read_bytes()
                except OSError as exc:
                    yield Result(key=job.recording.key, status="failed", exit_code=3, error=f"cannot read: {exc}")
                    continue
                running[task.remote(job, model, video)] = job
            if not running:
                continue
            ready, _ = ray.wait(list(running), num_returns=1)
            job = running.pop(ready[0])
            try:
                result, archive = ray.get(ready[0])
            except ray.exceptions.RayError as exc:
                yield Result(
                    key=job.recording.key,
                    status="failed",
                    exit_code=1,
                    error=f"Ray task failed after {self.attempts} attempts: {type(exc).__name__}",
                    attempt=self.attempts,
                )
                continue
            unpack(archive, Path(job.out_dir))
            result.key = job.recording.key  # the task saw a scratch copy of the recording
            result.attempt = None  # Ray retries a task whose worker died on its own; it does not tell
            yield result
