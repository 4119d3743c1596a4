"""Generate realistic notes (multilingual text, tags, [[links]]) for benchmarks, through the real services."""

from __future__ import annotations

import random

WORDS = {
    "en": "memory garden paper review project meeting reading network graph python search brain notebook journal "
    "idea summary draft outline research question answer method result theory practice habit".split(),
    "fr": "idée café réseau mémoire jardin résumé réunion lecture projet cahier recherche méthode résultat "
    "théorie pratique habitude question réponse brouillon plan été hiver élève château".split(),
    "de": "Gedanke Netzwerk Zettel Garten Übersicht Besprechung Projekt Forschung Methode Ergebnis Frage".split(),
}
TAGS = ["project/alpha", "project/beta", "reading", "journal", "idea", "work/meeting", "lang/fr", "lang/en", "todo"]


def note_text(rng: random.Random, index: int, total: int, prefix: str) -> tuple[str, str, list[str]]:
    language = rng.choice(list(WORDS))
    words = WORDS[language]
    title = f"{prefix} {index} {rng.choice(words)} {rng.choice(words)}"
    sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(6, 14))).capitalize() + "." for _ in range(6)]
    links = [f"[[{prefix} {rng.randrange(total)}]]" for _ in range(rng.randint(0, 3))]
    tags = rng.sample(TAGS, rng.randint(0, 2))
    body = "\n\n".join([" ".join(sentences[:3]), " ".join(links), " ".join(sentences[3:]), " ".join(f"#{t}" for t in tags)])
    return title, body, tags


SEED_CODE = """
import random, time
from django.contrib.auth import get_user_model
from fbrain.accounts.services import token_create
from fbrain.notes.services import note_create
import sys
sys.path.insert(0, {scripts!r})
from seed import note_text

from django.db import connection
from fbrain.notes.models import Note

User = get_user_model()
user, _ = User.objects.get_or_create(username={username!r})
rng = random.Random({seed})
started = time.perf_counter()
existing = Note.objects.filter(owner=user).count()
# Seeding goes through the real services (slow); a database seeded by an earlier run is reused.
for index in range(existing, {count}):
    title, body, tags = note_text(rng, index, {count}, {prefix!r})
    note_create(owner=user, title=title, body=body)
if existing < {count}:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
ids = list(Note.objects.filter(owner=user).order_by("id").values_list("id", flat=True))
_, key = token_create(user=user, name="bench")
print("SEEDED", key, ids[0], ids[-1], round(time.perf_counter() - started, 1), {count} - existing)
"""
