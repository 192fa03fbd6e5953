"""axe-core, the accessibility engine behind the browsers' own checkers, from the npm registry (never a CDN).

It is installed once into var/npm/ at an exact version; a missing npm or a failed install fails the test
rather than skipping it."""

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

AXE_VERSION = "4.14.1"
NPM_PREFIX = Path(settings.BASE_DIR) / "var" / "npm"
AXE_SCRIPT = NPM_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
# What WCAG 2.2 AA asks for, as axe tags its rules (each level's rules are tagged once, at the version that added them).
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Also run, and counted but never failing: axe's best practices (landmarks, headings, …).
RUN_TAGS = [*WCAG_AA_TAGS, "best-practice"]
BLOCKING_IMPACTS = {"critical", "serious"}

RUN_AXE = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(results =>
    results.violations.map(rule => ({
        rule: rule.id, impact: rule.impact, help: rule.help, tags: rule.tags,
        targets: rule.nodes.map(node => node.target.join(" ")),
    })))"""


def axe_script() -> Path:
    """The installed axe.min.js, installing it first when missing (one process at a time: tests run in two)."""
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    with open(NPM_PREFIX / ".install-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed_version_is_pinned():
            npm = shutil.which("npm")
            if npm is None:
                pytest.fail("npm is missing: the accessibility check installs axe-core from the npm registry.")
            done = subprocess.run(
                [
                    npm,
                    "install",
                    "--prefix",
                    str(NPM_PREFIX),
                    "--no-audit",
                    "--no-fund",
                    "--no-save",
                    f"axe-core@{AXE_VERSION}",
                ],
                capture_output=True,
                text=True,
            )
            if done.returncode or not _installed_version_is_pinned():
                pytest.fail(f"Could not install axe-core {AXE_VERSION} with npm:\n{done.stdout}\n{done.stderr}")
    return AXE_SCRIPT


def _installed_version_is_pinned() -> bool:
    return AXE_SCRIPT.exists() and AXE_SCRIPT.read_text()[:40].startswith(f"/*! axe v{AXE_VERSION}")


def violations(page) -> list[dict]:
    """axe's violations on the page as it is now (WCAG 2.2 A/AA and best practices): rule, impact, help text, tags
    and the elements' selectors."""
    page.add_script_tag(path=str(axe_script()))
    return page.evaluate(RUN_AXE, RUN_TAGS)


def is_blocking(found: dict) -> bool:
    """A critical or serious breach of WCAG 2.2 A/AA."""
    return found["impact"] in BLOCKING_IMPACTS and not set(found["tags"]).isdisjoint(WCAG_AA_TAGS)
