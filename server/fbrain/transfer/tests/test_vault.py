import datetime as dt

from fbrain.transfer.vault import clean_title, common_root, folder_tag, plan_vault, render_body, split_front_matter


def md(text):
    return text.encode()


def test_plan_vault_takes_titles_from_file_names_and_front_matter():
    plan = plan_vault(
        {
            "Vault/Daily/2024-01-02.md": md("Met [[Alice]] about #project/alpha."),
            "Vault/People/alice.md": md("---\ntitle: Alice Martin\naliases: [Al]\n---\nHello"),
            "Vault/Ideas.markdown": md("See [[al]] and [[Missing note]]"),
        }
    )
    titles = {note.path: note.title for note in plan.notes}
    # A front matter title that is not the file's name stays a property: Obsidian names notes by file.
    assert titles == {"Daily/2024-01-02.md": "2024-01-02", "People/alice.md": "alice", "Ideas.markdown": "Ideas"}
    by_path = plan.by_path()
    assert by_path["People/alice.md"].body.startswith("---\ntitle: Alice Martin\naliases:\n- Al\nfolder: People\n---\n")
    assert [ref.path for ref in by_path["Daily/2024-01-02.md"].links] == ["People/alice.md"]
    assert [ref.path for ref in by_path["Ideas.markdown"].links] == ["People/alice.md"]
    assert by_path["Ideas.markdown"].pending == ["Missing note"]
    assert by_path["Daily/2024-01-02.md"].tags == []
    assert by_path["Daily/2024-01-02.md"].body == "---\nfolder: Daily\n---\nMet [[Alice]] about #project/alpha."
    assert plan.errors == []


def test_plan_vault_can_keep_folders_as_tags():
    plan = plan_vault({"v/Projects/Alpha 1/x.md": md("x"), "v/y.md": md("y")}, folder_tags=True)
    assert plan.by_path()["Projects/Alpha 1/x.md"].tags == ["Projects/Alpha-1"]
    assert plan.by_path()["Projects/Alpha 1/x.md"].body == "x"


def test_front_matter_title_is_used_when_the_file_is_named_after_it():
    plan = plan_vault(
        {"A-B- c.md": md("---\ntitle: 'A/B: c?'\n---\nx"), "A-B- c (2).md": md("---\ntitle: 'A/B: c'\n---\n")}
    )
    assert sorted(note.title for note in plan.notes) == ["A/B: c", "A/B: c?"]


def test_plan_vault_reads_front_matter_fields_and_keeps_other_keys():
    text = (
        "---\ntitle: T\ntags: [a, '#b']\ncreated: 2023-05-01\nupdated: 2023-05-02T10:00:00Z\ncssclass: wide\n---\nBody"
    )
    plan = plan_vault({"T.md": md(text)})
    note = plan.notes[0]
    assert note.title == "T"
    assert note.tags == ["a", "b"]
    assert note.created == dt.datetime(2023, 5, 1, tzinfo=dt.UTC)
    assert note.updated == dt.datetime(2023, 5, 2, 10, tzinfo=dt.UTC)
    assert note.body == "---\ncssclass: wide\n---\nBody"


def test_plan_vault_reports_bad_files_instead_of_failing():
    plan = plan_vault(
        {
            "good.md": md("fine"),
            "latin1.md": "caf\u00e9".encode("latin-1"),
            "broken.md": md("---\ntitle: [unclosed\n---\nx"),
            "badtags.md": md("---\ntags: {a: 1}\n---\nx"),
        }
    )
    assert [note.path for note in plan.notes] == ["good.md"]
    assert {error.path for error in plan.errors} == {"latin1.md", "broken.md", "badtags.md"}
    assert all(error.message for error in plan.errors)


def test_plan_vault_resolves_attachments_both_syntaxes():
    plan = plan_vault(
        {
            "notes/a.md": md("![[diagram.png]] and ![chart](../img/chart%201.png) and ![web](https://x.test/a.png)"),
            "assets/diagram.png": b"png",
            "img/chart 1.png": b"png",
            "unused.pdf": b"pdf",
        }
    )
    note = plan.notes[0]
    assert [ref.path for ref in note.attachments] == ["assets/diagram.png", "img/chart 1.png"]
    assert plan.attachments == ["assets/diagram.png", "img/chart 1.png"]
    body = render_body(note, {}, {"assets/diagram.png": "/a/1", "img/chart 1.png": "/a/2"})
    assert body == "---\nfolder: notes\n---\n![diagram.png](/a/1) and ![chart](/a/2) and ![web](https://x.test/a.png)"


def test_plan_vault_ignores_links_in_code_and_dedupes_titles():
    plan = plan_vault(
        {
            "a/Note.md": md("`[[b/Note]]` and\n```\n[[Nope]]\n```\n"),
            "b/note.md": md("[[a/Note|first]]"),
        }
    )
    assert sorted(note.title for note in plan.notes) == ["Note", "note (2)"]
    assert plan.by_path()["a/Note.md"].links == []
    assert plan.by_path()["a/Note.md"].pending == []


def test_render_body_points_links_at_final_titles_keeping_display_text():
    plan = plan_vault({"x.md": md("[[y]] [[Y#Part|shown]] ![[y]] [[Other]]"), "y.md": md("---\ntitle: Why\n---\n")})
    note = plan.by_path()["x.md"]
    titles = {"y.md": "Why (imported)"}
    assert render_body(note, titles, {}) == (
        "[[Why (imported)|y]] [[Why (imported)#Part|shown]] ![[Why (imported)|y]] [[Other]]"
    )


def test_split_front_matter_without_front_matter_keeps_the_body():
    assert split_front_matter("# Title\ntext") == ({}, "# Title\ntext")
    assert split_front_matter("---\ntitle: A\n---\ntext") == ({"title": "A"}, "text")


def test_helpers_clean_titles_tags_and_roots():
    assert clean_title("  a\tb\x00c  ") == "a b c"
    assert folder_tag("Projects/Alpha 1") == "Projects/Alpha-1"
    assert folder_tag("...") is None
    assert folder_tag("") is None
    assert common_root(["v/a.md", "v/b/c.md"]) == "v/"
    assert common_root(["a.md", "v/b.md"]) == ""


def test_plan_vault_reads_bookmarks_and_crlf_and_bom():
    text = "\ufeff---\r\ntitle: Site\r\nkind: bookmark\r\nurl: https://example.test/\r\n---\r\nnotes"
    note = plan_vault({"Site.md": text.encode()}).notes[0]
    assert (note.kind, note.url, note.body) == ("bookmark", "https://example.test/", "notes")


def test_markdown_links_to_notes_become_wiki_links():
    plan = plan_vault(
        {
            "a/One.md": md(
                "See [the second](../b/Two%20Notes.md#Part) and [Three](Three.md) and [web](https://x.test/a.md)"
            ),
            "b/Two Notes.md": md("---\ntitle: Second\n---\n"),
            "a/Three.md": md(""),
        }
    )
    note = plan.by_path()["a/One.md"]
    titles = {n.path: n.title for n in plan.notes}
    assert render_body(note, titles, {}) == (
        "---\nfolder: a\n---\nSee [[Two Notes#Part|the second]] and [[Three]] and [web](https://x.test/a.md)"
    )


def test_front_matter_tags_are_cleaned_not_fatal():
    note = plan_vault({"n.md": md("---\ntag: single\ntags: ['my tag', 'a.b', '123', null]\n---\n")}).notes[0]
    assert note.tags == ["my-tag", "a-b", "single"]


def test_links_to_files_and_decomposed_unicode_names_resolve():
    decomposed = "Cafe\u0301.md"  # as macOS zips it
    plan = plan_vault({"n.md": md("[[Café]] and [[doc.pdf|the doc]]"), decomposed: md("x"), "doc.pdf": b"%PDF"})
    note = plan.by_path()["n.md"]
    assert [ref.path for ref in note.links] == [decomposed]
    assert note.pending == []
    assert render_body(note, {decomposed: "Café"}, {"doc.pdf": "/a/9"}) == "[[Café]] and [the doc](/a/9)"
