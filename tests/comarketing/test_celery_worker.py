import time
from pathlib import Path

from comarketing.celery import EMAIL, REPORTS, SWEEPS, WEBHOOKS, app, queue_name


@app.task(name="tests.touch_file")
def touch_file(path: str, text: str) -> None:
    Path(path).write_text(text)


def test_it_runs_a_task_through_a_real_worker(celery_worker, tmp_path):
    target = tmp_path / "proof.txt"
    touch_file.delay(str(target), "ran in the worker")
    deadline = time.monotonic() + 60  # generous: a loaded CI machine starts the worker slowly
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.read_text() == "ran in the worker"


def test_a_worker_started_without_queues_runs_work_of_every_kind(celery_worker, tmp_path):
    """As ./dev up starts it: one worker for every queue (compose runs one per group instead)."""
    targets = {kind: tmp_path / f"{kind}.txt" for kind in (EMAIL, WEBHOOKS, SWEEPS, REPORTS)}
    for kind, target in targets.items():
        touch_file.apply_async((str(target), kind), queue=queue_name(kind))
    deadline = time.monotonic() + 60
    while not all(target.exists() for target in targets.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert {kind: target.read_text() if target.exists() else None for kind, target in targets.items()} == {
        kind: kind for kind in targets
    }
