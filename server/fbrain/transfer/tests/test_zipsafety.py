import io
import stat
import zipfile

import pytest

from fbrain.transfer.zipsafety import Limits, UnsafeArchive, inventory, read_entry, safe_name


def make_zip(entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for entry in entries:
            if isinstance(entry, zipfile.ZipInfo):
                archive.writestr(entry, b"target.md")
            else:
                name, data = entry
                archive.writestr(name, data)
    buffer.seek(0)
    return zipfile.ZipFile(buffer)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a/b.md", "a/b.md"), ("./a//b.md", "a/b.md"), ("a\\b.md", "a/b.md"), ("dir/", "dir")],
)
def test_safe_name_normalises_relative_paths(name, expected):
    assert safe_name(name) == expected


@pytest.mark.parametrize(
    "name", ["../evil.md", "a/../../evil.md", "/etc/passwd", "C:/x.md", "C:\\x.md", "a\\..\\..\\x", "a\x00.md"]
)
def test_safe_name_refuses_traversal_and_absolute_paths(name):
    with pytest.raises(UnsafeArchive):
        safe_name(name)


def test_inventory_refuses_a_traversal_entry_before_reading_anything():
    with pytest.raises(UnsafeArchive, match="outside"):
        inventory(make_zip([("ok.md", b"x"), ("../../etc/cron.d/x", b"x")]))


def test_inventory_skips_symlinks_and_tool_folders():
    link = zipfile.ZipInfo("notes/link.md")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive = make_zip(
        [
            ("notes/a.md", b"a"),
            link,
            (".obsidian/app.json", b"{}"),
            ("__MACOSX/notes/._a.md", b"x"),
            ("notes/.DS_Store", b"x"),
            ("notes/A.md", b"dup"),
        ]
    )
    found = inventory(archive)
    assert list(found.files) == ["notes/a.md"]
    assert ("notes/link.md", "symbolic links are not imported") in found.skipped
    assert any(path == "notes/A.md" for path, _ in found.skipped)


def test_inventory_caps_the_number_of_entries():
    with pytest.raises(UnsafeArchive, match="entries"):
        inventory(make_zip([(f"n{i}.md", b"x") for i in range(11)]), Limits(max_entries=10))


def test_inventory_refuses_a_zip_bomb_by_ratio():
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        inventory(make_zip([("bomb.md", b"\0" * (5 * 1024 * 1024))]))


def test_inventory_caps_the_total_uncompressed_size():
    entries = [(f"n{i}.md", bytes(range(256)) * 400) for i in range(5)]
    with pytest.raises(UnsafeArchive, match="expands to more than"):
        inventory(make_zip(entries, zipfile.ZIP_STORED), Limits(max_total_bytes=300_000))


def test_inventory_caps_each_entry():
    with pytest.raises(UnsafeArchive, match="larger than"):
        inventory(make_zip([("big.png", b"x" * 2000)], zipfile.ZIP_STORED), Limits(max_entry_bytes=1000))


def test_inventory_refuses_encrypted_entries():
    archive = make_zip([("a.md", b"x")])
    archive.infolist()[0].flag_bits |= 0x1
    with pytest.raises(UnsafeArchive, match="encrypted"):
        inventory(archive)


def test_read_entry_does_not_trust_a_lying_size():
    archive = make_zip([("a.md", b"hello world")], zipfile.ZIP_STORED)
    info = archive.infolist()[0]
    assert read_entry(archive, info) == b"hello world"
    info.file_size = 3
    with pytest.raises((UnsafeArchive, zipfile.BadZipFile)):
        read_entry(archive, info)
