from residency import naming


def test_names_are_prefixed_by_project_and_workspace():
    assert naming.resource_name("acme-health", "eu-central-1", "data") == "acme-health-eu-central-1-data"
    assert naming.data_table_name("acme", "us-east-1") == "acme-us-east-1-data"
    assert naming.kms_alias("acme", "global", "directory") == "alias/acme-global-directory"
    assert naming.directory_table_name("acme") == "acme-directory"


def test_bucket_names_fit_s3_limits_for_the_longest_project_and_region():
    name = naming.data_bucket_name("p" * 24, "ap-southeast-2", "123456789012")
    assert len(name) <= 63
    assert name == f"{'p' * 24}-ap-southeast-2-data-123456789012"


def test_standard_tags_cannot_be_overridden_by_user_tags_keys():
    tags = naming.standard_tags("acme", "eu-central-1", "EU")
    assert tags == {"project": "acme", "workspace": "eu-central-1", "jurisdiction": "EU", "managed-by": "residency"}
    assert set(tags) == set(naming.RESERVED_TAG_KEYS)


def test_synthesized_state_path_is_where_residency_keeps_state(tmp_path):
    from residency.paths import ProjectPaths, state_path_from_stack

    paths = ProjectPaths(tmp_path)
    resolved = (paths.stack_dir("eu-central-1") / state_path_from_stack("eu-central-1")).resolve()
    assert resolved == paths.state_file("eu-central-1").resolve()
