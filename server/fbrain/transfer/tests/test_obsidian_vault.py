"""A realistic Obsidian vault, imported, checked against a small parser written independently of the importer."""

import re

import pytest
import yaml

from fbrain.notes.models import Link, Note
from fbrain.transfer import services
from fbrain.transfer.tests.helpers import PNG, upload

pytestmark = pytest.mark.django_db

VAULT: dict[str, str | bytes] = {
    "Garden/.obsidian/app.json": "{}",
    "Garden/Home.md": """---
tags: [index, meta/start]
aliases: [Start Here, Dashboard]
---
# Home
Welcome! Start with [[Zettelkasten]] and [[Evergreen notes|evergreen]] notes.
Daily logs live in [[2024-03-01]]. See also [[Reading list#Books]].
![[cover.png]]
#meta/start is repeated here, and #inbox too.
""",
    "Garden/Concepts/Zettelkasten.md": """Atomic notes linked together. Inspired by [[Niklas Luhmann]].
Related: [[evergreen notes]], [[Home]], [[Zettelkasten]] (self link).
```python
# [[Not a link]] and #not-a-tag in code
print("#nope")
```
Inline `[[also not]]` code. Tags: #method #pkm/zettel
""",
    "Garden/Concepts/Evergreen notes.md": """---
tags:
  - pkm
  - pkm/evergreen
created: 2023-11-05
---
Evergreen notes should be concept-oriented, see [[Zettelkasten#Principles|the principles]].
Embeds: ![[Zettelkasten]] ![[diagrams/flow.png|400]]
Email me at someone@example.com, colour #ff0000 is not a tag? Actually it is one in Obsidian: #ff0000
""",
    "Garden/People/Niklas Luhmann.md": "Sociologist. Back to [[zettelkasten]]. #person",
    "Garden/Daily/2024-03-01.md": "- [x] Read [[Missing Book]]\n- [ ] Write about [[Start Here]]\n#daily",
    "Garden/Reading list.md": "## Books\n1. [[Missing Book]]\n2. [How to take smart notes](Concepts/Zettelkasten.md)\n",
    "Garden/attachments/cover.png": PNG,
    "Garden/diagrams/flow.png": PNG,
}

_CODE_FENCE = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_WIKI = re.compile(r"!?\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")
_MD_NOTE_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)]+\.md)\)")
_TAG = re.compile(r"(?:^|\s)#([A-Za-z0-9_][\w/-]*)")


def independent_parse(files):
    """Notes by file stem; tags from front matter and text; links resolved by file stem or alias."""
    notes = {}
    for path, text in files.items():
        if not path.endswith(".md") or "/.obsidian/" in path:
            continue
        stem = path.rsplit("/", 1)[-1][:-3]
        front: dict = {}
        body = text
        if text.startswith("---\n"):
            raw, body = text[4:].split("\n---\n", 1)
            front = yaml.safe_load(raw) or {}
        visible = _INLINE_CODE.sub("", _CODE_FENCE.sub("", body))
        tags = {str(tag).lower() for tag in front.get("tags", [])}
        tags |= {tag.lower().rstrip("/-") for tag in _TAG.findall(visible) if not tag.isdigit()}
        targets = [t.strip() for t in _WIKI.findall(visible)] + [
            link.rsplit("/", 1)[-1][:-3] for link in _MD_NOTE_LINK.findall(visible)
        ]
        notes[stem] = {"tags": tags, "targets": targets, "aliases": front.get("aliases", [])}
    names = {stem.lower(): stem for stem in notes}
    for stem, note in notes.items():
        for alias in note["aliases"]:
            names.setdefault(alias.lower(), stem)
    result = {}
    for stem, note in notes.items():
        links = set()
        for target in note["targets"]:
            if "." in target and not target.endswith(".md"):
                continue  # an embedded file, not a note
            links.add(names.get(target.lower(), f"pending:{target.lower()}"))
        result[stem] = {"tags": note["tags"], "links": links}
    return result


def imported(user):
    result = {}
    for note in Note.objects.filter(owner=user).prefetch_related("note_tags__tag"):
        links = {
            link.target.title if link.target else f"pending:{link.target_title.lower()}"
            for link in Link.objects.filter(source=note).select_related("target")
        }
        result[note.title] = {"tags": {nt.tag.name.lower() for nt in note.note_tags.all()}, "links": links}
    return result


def test_a_realistic_vault_imports_the_notes_tags_and_links_an_independent_parser_finds(user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = services.import_create(owner=user, upload=upload(VAULT))
    assert services.import_run(job_id=str(job.pk)) == "succeeded"
    job.refresh_from_db()
    assert job.errors == []
    assert job.counts["attachment"] == 2
    assert imported(user) == independent_parse(VAULT)
