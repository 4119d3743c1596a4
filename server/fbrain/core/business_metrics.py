"""Business metrics (Prometheus): what people do with F_BRAIN. Import these; never create duplicates.

All are safe under prometheus_client's multiprocess mode (gunicorn workers, Celery prefork children).
"""

from prometheus_client import Counter, Gauge, Histogram

NOTES_CREATED = Counter("fbrain_notes_created", "Notes created (any kind).", ["kind"])
NOTES_UPDATED = Counter("fbrain_notes_updated", "Notes updated.", ["kind"])
NOTES_DELETED = Counter("fbrain_notes_deleted", "Notes moved to the trash.", ["kind"])
SEARCHES = Counter("fbrain_searches", "Searches run, by whether they found anything.", ["result"])
SEARCH_DURATION = Histogram(
    "fbrain_search_duration_seconds",
    "Server-side search time.",
    buckets=(0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5),
)
SIGN_INS_REFUSED = Counter(
    "fbrain_sign_ins_refused",
    "Sign-in attempts refused by a rate limit, by sign-in path and the limit that refused them.",
    ["path", "reason"],
)
API_TOKENS_USED = Counter("fbrain_api_tokens_used", "Requests authenticated with an API token.")
CAPTURES = Counter("fbrain_captures", "Bookmark captures finished, by outcome and reason.", ["outcome", "reason"])
CAPTURE_DURATION = Histogram(
    "fbrain_capture_duration_seconds",
    "Time to fetch and extract one page.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0),
)
JOBS = Counter("fbrain_jobs", "Import/export jobs finished, by kind and outcome.", ["kind", "outcome"])
PERIODIC_TASK_LAST_SUCCESS = Gauge(
    "fbrain_periodic_task_last_success_timestamp_seconds",
    "Unix time of the last successful run of each periodic task.",
    ["task"],
    multiprocess_mode="max",
)
BACKUP_LAST_SUCCESS = Gauge(
    "fbrain_backup_last_success_timestamp_seconds",
    "Unix time of the last successful backup.",
    multiprocess_mode="max",
)
