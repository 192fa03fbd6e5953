import time
from pathlib import Path

from comarketing.celery import app


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
