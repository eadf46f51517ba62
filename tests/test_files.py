"""Files written all or nothing: an existing file keeps its permissions, a symlink its target."""

from __future__ import annotations

from residency.files import write_atomically


def test_a_new_file_is_an_ordinary_readable_file(tmp_path):
    written = write_atomically(tmp_path / "deep" / "out.json", "{}\n")
    assert written.read_text() == "{}\n" and written.stat().st_mode & 0o777 == 0o644


def test_an_existing_file_keeps_its_mode_and_a_symlink_keeps_pointing_at_it(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_text("old\n")
    target.chmod(0o600)
    link = tmp_path / "regions.yaml"
    link.symlink_to(target)
    write_atomically(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.yaml", "regions.yaml"]
