"""Plain-text helpers: link context, tag tree, diffs, capture titles."""

from fbrain.web.text import capture_title, diff_lines, flatten_tree, link_context, tag_tree


def test_link_context_is_the_linking_sentence():
    body = "Intro line.\nFirst sentence. I think [[New idea|the idea]] is **good**. Last one."
    context = link_context(body, "new idea")
    assert context is not None
    assert (context.before, context.match, context.after) == ("I think ", "the idea", " is good.")


def test_link_context_handles_headings_embeds_and_other_links():
    context = link_context("- see ![[Target#Part]] and [[Other|x]]", "Target")
    assert context is not None
    assert context.match == "Target"
    assert context.after == " and x"
    assert link_context("no link here", "Target") is None


def test_link_context_clips_long_sentences():
    body = "word " * 100 + "[[T]]" + " tail" * 100
    context = link_context(body, "T")
    assert context is not None
    assert context.before.startswith("…")
    assert context.after.endswith("…")


def test_tag_tree_nests_children_and_keeps_counts():
    tree = tag_tree([("project/alpha", 2), ("project", 1), ("idea", 3), ("area/home/garden", 1)])
    assert [node.name for node in tree] == ["area", "idea", "project"]
    area = tree[0]
    assert area.count == 0
    assert area.children[0].children[0].name == "area/home/garden"
    assert tree[2].children[0].label == "alpha"
    assert tree[2].count == 1


def test_diff_lines_marks_additions_and_deletions():
    lines = diff_lines("a\nb\nc", "a\nB\nc", old_label="old", new_label="new")
    kinds = [line.kind for line in lines]
    assert kinds[0] == "hunk"
    assert ("del", "-b") in [(line.kind, line.text) for line in lines]
    assert ("add", "+B") in [(line.kind, line.text) for line in lines]
    assert "same" in kinds


def test_capture_title_uses_the_first_line():
    assert capture_title("\n# Shopping list\n- eggs") == "Shopping list"
    assert capture_title("   \n  ") == ""
    assert len(capture_title("x" * 300)) == 80


def test_flatten_tree_closes_nested_lists():
    rows = flatten_tree(tag_tree([("a/b/c", 1), ("a/d", 1), ("e", 1)]))
    assert [(row.node.name, row.has_children, len(row.closes)) for row in rows] == [
        ("a", True, 0),
        ("a/b", True, 0),
        ("a/b/c", False, 1),
        ("a/d", False, 1),
        ("e", False, 0),
    ]
