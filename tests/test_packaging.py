import zipfile

from residency.packaging import build_bundle, handlers_source


def test_bundle_is_byte_identical_for_identical_sources(tmp_path):
    source = tmp_path / "src"
    (source / "__pycache__").mkdir(parents=True)
    (source / "b.py").write_text("B = 1\n")
    (source / "a.py").write_text("A = 1\n")
    (source / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"junk")
    first = build_bundle(source, tmp_path / "one.zip")
    (source / "a.py").touch()  # a newer mtime must not matter
    second = build_bundle(source, tmp_path / "two.zip")
    assert first == second
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as bundle:
        assert bundle.namelist() == ["handlers/a.py", "handlers/b.py"]
        assert bundle.read("handlers/a.py") == b"A = 1\n"


def test_a_source_change_changes_the_hash(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.py").write_text("A = 1\n")
    before = build_bundle(source, tmp_path / "one.zip")
    (source / "a.py").write_text("A = 2\n")
    assert build_bundle(source, tmp_path / "two.zip") != before


def test_the_real_handlers_package_is_found():
    assert (handlers_source() / "api.py").is_file()
