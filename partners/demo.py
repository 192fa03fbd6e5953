"""Demo data, contributed by each app in turn (partners knows nothing of the others' data).

Apps register a step in their `ready()`; `seed_demo` runs the steps in
registration order (INSTALLED_APPS order), passing one shared dict so a later
step can build on an earlier one's objects. Every step must be idempotent.
"""

from collections.abc import Callable
from typing import Any

DemoStep = Callable[[dict[str, Any]], None]
steps: list[DemoStep] = []


def register(step: DemoStep) -> DemoStep:
    steps.append(step)
    return step
