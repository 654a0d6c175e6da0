"""A job kind for tests only: six steps of half a second, each adding one theme if it is not
there yet (so a second run after an interruption adds nothing twice). The worker imports
this module only when the test sets EXTRA_JOB_KINDS=tests.slow_job_kind."""

from __future__ import annotations

import time

from aefront.jobs.kinds import Kind, Result, register
from interviews.access import CODING_ROLES

STEPS = 6


def run(job, access, progress) -> Result:
    from coding.models import Theme

    for step in range(STEPS):
        Theme.objects.get_or_create(project=access.project, name=f"Slow step {step}")
        progress.step(step + 1, STEPS, f"Step {step + 1}")
        time.sleep(0.5)
    return Result(summary=f"{STEPS} themes")


register(Kind(key="slow-test", label="Slow test job", roles=CODING_ROLES, run=run))
