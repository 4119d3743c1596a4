"""Settings of the chaos stack: production settings plus a 1-second beat tick and a short visibility timeout.

Only the chaos suite uses this module (scripts/chaos is put on PYTHONPATH). The visibility timeout is the
time after which the Redis transport redelivers a message whose worker died without acknowledging it; in
production it is 2 hours (longer than any task) and kombu sweeps for such messages every ~100 s; here both
are scaled down so scenario a ends in seconds.
"""

import os

from config.settings.prod import *  # noqa: F403
from config.settings.prod import CELERY_BEAT_SCHEDULE as PRODUCTION_BEAT_SCHEDULE
from config.settings.prod import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("CHAOS_VISIBILITY_TIMEOUT", "15")),
    # Sweep for abandoned messages every 2 s instead of every 10 x 10 s.
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
    # A worker SIGKILLed during a sweep leaves the sweep's Redis mutex behind; it expires after this many
    # seconds (kombu's default, 300, would hold every other worker's sweep back for 5 minutes).
    "unacked_mutex_expire": 5,
}
CELERY_IMPORTS = ["chaos_tasks"]
CELERY_BEAT_SCHEDULE = {
    **PRODUCTION_BEAT_SCHEDULE,
    "chaos-beat-tick": {"task": "chaos.beat_tick", "schedule": 1.0, "options": {"queue": "celery", "expires": 30}},
}
# An import/export whose worker died resumes once its heartbeat is JOB_STALL_SECONDS old (10 s here, from
# the environment); the sweep that re-queues such jobs runs every 5 minutes in production, 5 s here.
if "recover-stalled-jobs" in CELERY_BEAT_SCHEDULE:
    CELERY_BEAT_SCHEDULE["recover-stalled-jobs"] = {**CELERY_BEAT_SCHEDULE["recover-stalled-jobs"], "schedule": 5.0}
