import pytest
from django.db import IntegrityError, connection, transaction

from fbrain.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from fbrain.core.tests.factories import UserFactory
from fbrain.notes import selectors, services
from fbrain.notes.models import Link, Note, NoteTag, Revision, Tag
from fbrain.notes.tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


def tag_names(note):
    return sorted(NoteTag.objects.filter(note=note).values_list("tag__name", flat=True))


def links_of(note):
    return {link.target_title: link.target_id for link in Link.objects.filter(source=note)}


def test_note_create_syncs_tags_links_and_aliases(user):
    note = services.note_create(
        owner=user, title="  Alpha ", body="---\naliases: [A]\ntags: [fm]\n---\n#body [[Beta]]", tags=["manual"]
    )
    assert note.title == "Alpha" and note.version == 1 and note.aliases == ["A"]
    assert tag_names(note) == ["body", "fm", "manual"]
    assert links_of(note) == {"Beta": None}


def test_note_create_resolves_pending_links(user):
    source = services.note_create(owner=user, title="Source", body="[[target]] and [[Target|again]]")
    assert links_of(source) == {"target": None}
    target = services.note_create(owner=user, title="Target")
    assert links_of(source) == {"target": target.id}
    assert [link.source_id for link in selectors.backlinks(owner=user, note=target)] == [source.id]


def test_links_to_self_and_cycles_are_fine(user):
    a = services.note_create(owner=user, title="A", body="[[A]] [[B]]")
    b = services.note_create(owner=user, title="B", body="[[A]]")
    assert links_of(a) == {"A": a.id, "B": b.id}
    assert links_of(b) == {"A": a.id}


def test_note_create_refuses_duplicate_title_case_insensitively(user):
    services.note_create(owner=user, title="Same")
    with pytest.raises(Conflict) as excinfo:
        services.note_create(owner=user, title="same")
    assert excinfo.value.fields == {"title": ["A note with this title already exists."]}
    other = UserFactory()
    assert services.note_create(owner=other, title="Same").owner == other


def test_database_refuses_duplicate_live_titles(user):
    Note.objects.create(owner=user, title="Dup")
    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.create(owner=user, title="DUP")


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"title": "   "}, ValidationFailed, "title"),
        ({"title": "x" * 201}, ValidationFailed, "title"),
        ({"title": "bad\ntitle"}, ValidationFailed, "title"),
        ({"title": "ok", "body": "é" * (512 * 1024 + 1)}, PayloadTooLarge, "body"),
        ({"title": "ok", "body": "nul\x00"}, ValidationFailed, "body"),
        ({"title": "ok", "body": "---\ntags: [\n---\n"}, ValidationFailed, "body"),
        ({"title": "ok", "tags": ["bad tag"]}, ValidationFailed, "tags"),
        ({"title": "ok", "kind": "video"}, ValidationFailed, "kind"),
    ],
)
def test_note_create_rejects_bad_input_and_writes_nothing(user, kwargs, error, field):
    with pytest.raises(error) as excinfo:
        services.note_create(owner=user, **kwargs)
    assert field in excinfo.value.fields
    assert not Note.objects.exists() and not Tag.objects.exists()


def test_note_update_keeps_revision_and_bumps_version(user):
    note = services.note_create(owner=user, title="One", body="first")
    updated = services.note_update(note=note, body="second", expected_version=1)
    assert updated.version == 2
    assert list(Revision.objects.filter(note=note).values_list("version", "title", "body")) == [(1, "One", "first")]
    pinned = services.note_update(note=updated, pinned=True)
    # The version guards the content: pinning is no edit of it.
    assert pinned.version == 2 and pinned.pinned and Revision.objects.filter(note=note).count() == 1
    assert pinned.updated_at > updated.updated_at


def test_note_update_with_stale_version_changes_nothing(user):
    note = services.note_create(owner=user, title="One", body="first")
    services.note_update(note=note, body="second")
    with pytest.raises(services.StaleVersion):
        services.note_update(note=note, body="lost update", expected_version=1)
    note.refresh_from_db()
    assert note.body == "second" and note.version == 2


def test_note_update_failure_rolls_back_everything(user):
    note = services.note_create(owner=user, title="One", body="#keep [[X]]")
    with pytest.raises(ValidationFailed):
        services.note_update(note=note, body="---\ntags: [broken\n---\n#new [[Y]]")
    note.refresh_from_db()
    assert note.body == "#keep [[X]]" and note.version == 1
    assert tag_names(note) == ["keep"] and links_of(note) == {"X": None}
    assert not Revision.objects.exists()


def test_note_update_keeps_explicit_tags_unless_replaced(user):
    note = services.note_create(owner=user, title="T", body="#parsed", tags=["manual"])
    note = services.note_update(note=note, body="#other")
    assert tag_names(note) == ["manual", "other"]
    note = services.note_update(note=note, tags=[])
    assert tag_names(note) == ["other"]
    assert sorted(Tag.objects.filter(owner=user).values_list("name", flat=True)) == ["other"]


def test_rename_makes_old_links_pending_and_can_rewrite_them(user):
    target = services.note_create(owner=user, title="Old")
    source = services.note_create(owner=user, title="Source", body="[[Old|alias]] and [[New]]")
    renamed = services.note_update(note=target, title="New")
    assert links_of(source) == {"Old": None, "New": renamed.id}
    other = services.note_create(owner=user, title="Other", body="see [[New#h]]")
    renamed = services.note_update(note=renamed, title="Newest", rewrite_links=True)
    source.refresh_from_db()
    other.refresh_from_db()
    assert source.body == "[[Old|alias]] and [[Newest]]"
    assert other.body == "see [[Newest#h]]"
    assert links_of(other) == {"Newest": renamed.id}


def test_trash_restore_and_purge(user):
    target = services.note_create(owner=user, title="Target", body="#t")
    source = services.note_create(owner=user, title="Source", body="[[Target]]")
    services.note_delete(note=target)
    assert links_of(source) == {"Target": None}
    with pytest.raises(NotFound):
        selectors.note_get(owner=user, note_id=target.id)
    assert [n.id for n in selectors.trash_list(owner=user)] == [target.id]
    restored = services.note_restore(note=target)
    assert restored.deleted_at is None and links_of(source) == {"Target": target.id}
    services.note_delete(note=target)
    services.note_purge(note=target)
    assert not Note.objects.filter(id=target.id).exists()
    with pytest.raises(NotFound):
        services.note_purge(note=target)


def test_restore_refuses_when_title_taken(user):
    note = services.note_create(owner=user, title="Name")
    services.note_delete(note=note)
    services.note_create(owner=user, title="name")
    with pytest.raises(Conflict):
        services.note_restore(note=note)


def test_trash_empty_only_touches_the_owner(user):
    mine = services.note_create(owner=user, title="Mine")
    services.note_delete(note=mine)
    theirs = NoteFactory.create()
    services.note_delete(note=theirs)
    assert services.trash_empty(owner=user) == 1
    assert Note.objects.filter(id=theirs.id).exists()


def test_delete_with_stale_version_is_refused(user):
    note = services.note_create(owner=user, title="N")
    with pytest.raises(services.StaleVersion):
        services.note_delete(note=note, expected_version=5)
    with pytest.raises(NotFound):
        services.note_update(note=services.note_delete(note=note), body="x")


def test_revision_restore(user):
    note = services.note_create(owner=user, title="V1", body="one")
    note = services.note_update(note=note, title="V2", body="two")
    revision = selectors.revision_get(owner=user, note=note, revision_id=note.revisions.get().id)
    restored = services.revision_restore(revision=revision, expected_version=2)
    assert (restored.title, restored.body, restored.version) == ("V1", "one", 3)
    assert list(restored.revisions.values_list("version", flat=True)) == [2, 1]


def test_tag_rename_rewrites_bodies_and_children(user):
    note = services.note_create(owner=user, title="N", body="#proj #proj/alpha", tags=["proj"])
    tag = Tag.objects.get(owner=user, name="proj")
    services.tag_rename(tag=tag, name="work")
    note.refresh_from_db()
    assert note.body == "#work #work/alpha" and note.version == 2
    assert tag_names(note) == ["work", "work/alpha"]
    assert NoteTag.objects.get(note=note, tag__name="work").explicit
    assert not Tag.objects.filter(name__startswith="proj").exists()


def test_tag_rename_refuses_an_existing_name_and_recases(user):
    services.note_create(owner=user, title="N", body="#a #b")
    tag_a = Tag.objects.get(name="a")
    with pytest.raises(Conflict):
        services.tag_rename(tag=tag_a, name="B")
    with pytest.raises(ValidationFailed):
        services.tag_rename(tag=tag_a, name="bad name")
    with pytest.raises(ValidationFailed):
        services.tag_rename(tag=tag_a, name="a/child")
    assert services.tag_rename(tag=tag_a, name="A").name == "A"


def test_tag_merge(user):
    one = services.note_create(owner=user, title="One", body="#x")
    two = services.note_create(owner=user, title="Two", body="#y #z")
    tags = list(Tag.objects.filter(name__in=["x", "y"]))
    target = services.tag_merge(owner=user, sources=tags, target_name="z")
    one.refresh_from_db()
    assert one.body == "#z" and tag_names(one) == ["z"] and tag_names(two) == ["z"]
    assert target.name == "z"
    with pytest.raises(ValidationFailed):
        services.tag_merge(owner=UserFactory(), sources=[target], target_name="q")


def test_note_set_extra_search_text(user):
    note = services.note_create(owner=user, title="Page", kind="bookmark")
    services.note_set_extra_search_text(note=note, text="extracted\x00 words")
    note.refresh_from_db()
    assert note.extra_text == "extracted words" and note.version == 1


@pytest.mark.postgres_only("search vectors are Postgres only")
def test_search_vector_weights_title_tags_body(user):
    note = services.note_create(owner=user, title="Été", body="corps #projet/alpha")
    services.note_set_extra_search_text(note=note, text="page")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM notes_note WHERE id = %s", [note.id])
        vector = cursor.fetchone()[0]
    assert "'ete':1A" in vector and "'alpha'" in vector and "'corps'" in vector and "'page'" in vector


def test_selectors_scope_by_owner(user):
    note = NoteFactory.create(body="#t")
    with pytest.raises(NotFound):
        selectors.note_get(owner=user, note_id=note.id)
    assert not selectors.note_list(owner=user).exists()
    assert not selectors.tag_list(owner=user).exists()
    with pytest.raises(NotFound):
        selectors.tag_get(owner=user, tag_id=Tag.objects.get().id)
    with pytest.raises(NotFound):
        selectors.trash_get(owner=user, note_id=note.id)


def test_note_list_filters(user):
    services.note_create(owner=user, title="A", body="#project/alpha", pinned=True)
    services.note_create(owner=user, title="B", body="#projector", kind="bookmark", archived=True)
    titles = lambda **kw: sorted(n.title for n in selectors.note_list(owner=user, **kw))  # noqa: E731
    assert titles(tag="project") == ["A"]
    assert titles(tag="#Project/Alpha") == ["A"]
    assert titles(kind="bookmark") == ["B"]
    assert titles(pinned=True) == ["A"]
    assert titles(archived=False) == ["A"]
    assert [(t.name, getattr(t, "note_count", None)) for t in selectors.tag_list(owner=user, prefix="project")] == [
        ("project/alpha", 1)
    ]


def test_note_html_uses_resolved_links(user):
    target = services.note_create(owner=user, title="Target")
    source = services.note_create(owner=user, title="Source", body="[[Target]] <script>x</script>")
    html = selectors.note_html(note=source)
    assert f'data-note-id="{target.id}"' in html and "<script" not in html
    found = selectors.note_get_by_title(owner=user, title=" target ")
    assert found is not None and found.id == target.id


def test_tag_rename_of_a_tag_without_notes(user):
    note = services.note_create(owner=user, title="N", body="#lonely")
    services.note_purge(note=services.note_delete(note=note))
    tag = Tag.objects.get(owner=user, name="lonely")
    renamed = services.tag_rename(tag=tag, name="Öther")
    assert renamed.name == "Öther"
    assert list(Tag.objects.filter(owner=user).values_list("name", flat=True)) == ["Öther"]


def test_tags_get_or_create_is_case_insensitive(user):
    first = services.tags_get_or_create(owner=user, names=["Ünïcode", "plain"])
    again = services.tags_get_or_create(owner=user.pk, names=["ünÏcode"])
    assert again["ünïcode"].id == first["ünïcode"].id
