"""Core Celery tasks: a ping that proves a worker consumes from the broker."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="fbrain.core.tasks.ping")
def ping(payload: str = "pong") -> str:
    logger.info("ping task ran", extra={"payload": payload})
    return payload
