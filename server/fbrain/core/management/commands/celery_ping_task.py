"""Queue the ping task through the broker and wait for a worker's answer (smoke tests, operators)."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from fbrain.core.tasks import ping


class Command(BaseCommand):
    help = "Queue fbrain.core.tasks.ping and wait for its result; exit non-zero when no worker answers."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: object, **options: object) -> None:
        payload = uuid.uuid4().hex
        try:
            result = ping.delay(payload).get(timeout=float(options["timeout"]))  # type: ignore[arg-type]
        except Exception as exc:
            raise CommandError(f"no worker answered the ping task: {type(exc).__name__}: {exc}") from exc
        if result != payload:
            raise CommandError(f"unexpected ping result {result!r}")
        self.stdout.write(self.style.SUCCESS(f"worker processed ping task ({payload})"))
