"""The last successful run of each periodic task (also exported as a Prometheus gauge)."""

from django.db import models


class PeriodicRun(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_result = models.JSONField(default=dict, blank=True)
    last_duration_seconds = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return self.name
