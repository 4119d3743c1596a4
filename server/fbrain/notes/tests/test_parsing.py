import pytest
from hypothesis import given
from hypothesis import strategies as st

from fbrain.notes.parsing import (
    ParseError,
    normalize_tag_name,
    parse_body,
    rewrite_links,
    rewrite_tag,
)


def test_parse_body_reads_every_wiki_link_form():
    parsed = parse_body("See [[Alpha]], [[Beta|the beta]], [[Gamma#Intro]] and ![[Diagram]].")
    assert [(link.title, link.alias, link.heading, link.embed) for link in parsed.links] == [
        ("Alpha", "", "", False),
        ("Beta", "the beta", "", False),
        ("Gamma", "", "Intro", False),
        ("Diagram", "", "", True),
    ]


def test_parse_body_ignores_links_and_tags_in_code():
    body = "```\n[[InFence]] #fenced\n```\n\n    [[Indented]] #indented\n\nText `[[Inline]] #inline` #real"
    parsed = parse_body(body)
    assert parsed.links == []
    assert parsed.tags == ["real"]


def test_parse_body_ignores_hashes_in_urls_entities_and_headings():
    body = "# Heading\n\nhttps://example.com/page#anchor <https://x.test/#frag> [l](http://a.test/#b) &#38; a#b #ok"
    assert parse_body(body).tags == ["ok"]


def test_parse_body_tags_are_unique_case_insensitively_and_need_a_letter():
    parsed = parse_body("#Project #project #project/alpha #2024 #été issue #12 #a-b_c/")
    assert parsed.tags == ["Project", "project/alpha", "été", "a-b_c"]


def test_parse_body_reads_front_matter_tags_and_aliases():
    body = "---\ntags: [one, '#two', parent/child]\naliases: Other name\n---\n# Title\n#three"
    parsed = parse_body(body)
    assert parsed.front_matter_tags == ["one", "two", "parent/child"]
    assert parsed.aliases == ["Other name"]
    assert parsed.all_tags == ["one", "two", "parent/child", "three"]


def test_parse_body_front_matter_tags_as_string():
    parsed = parse_body("---\ntags: alpha, beta gamma\naliases: [A, B]\n---\nbody")
    assert parsed.front_matter_tags == ["alpha", "beta", "gamma"]
    assert parsed.aliases == ["A", "B"]


@pytest.mark.parametrize(
    "front",
    ["tags: [unclosed", "- a list", "tags: {a: 1}", "tags: ['bad tag!']", "aliases: [[nested]]"],
)
def test_parse_body_rejects_bad_front_matter(front):
    with pytest.raises(ParseError):
        parse_body(f"---\n{front}\n---\nbody")


def test_parse_body_without_closing_front_matter_is_plain_markdown():
    parsed = parse_body("---\ntags: [x]\nno end #real")
    assert parsed.front_matter_tags == []
    assert parsed.tags == ["real"]


def test_parse_body_skips_empty_and_overlong_link_titles():
    assert parse_body("[[ ]] [[#Heading only]] [[" + "x" * 201 + "]]").links == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("#Alpha", "Alpha"), (" project/alpha/ ", "project/alpha"), ("été", "été")],
)
def test_normalize_tag_name(raw, expected):
    assert normalize_tag_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "#", "a b", "a//b", "123", "x" * 101, "bad!", "-lead"])
def test_normalize_tag_name_rejects(raw):
    with pytest.raises(ValueError):
        normalize_tag_name(raw)


def test_rewrite_links_keeps_alias_heading_embed_and_code():
    body = "[[Old]] [[old|alias]] [[Old#H]] ![[OLD]] `[[Old]]` [[Other]]"
    assert rewrite_links(body, "Old", "New") == "[[New]] [[New|alias]] [[New#H]] ![[New]] `[[Old]]` [[Other]]"


def test_rewrite_tag_renames_children_and_front_matter():
    body = "---\ntags: [proj, other]\ntitle: x\n---\n#proj and #proj/alpha and #project `#proj`"
    result = rewrite_tag(body, "proj", "work")
    assert result.endswith("#work and #work/alpha and #project `#proj`")
    assert parse_body(result).front_matter_tags == ["work", "other"]


@given(st.text(max_size=300))
def test_parse_body_never_crashes(text):
    try:
        parsed = parse_body(text)
    except ParseError:
        return
    for link in parsed.links:
        assert link.title and len(link.title) <= 200
    for tag in parsed.all_tags:
        assert normalize_tag_name(tag) == tag
