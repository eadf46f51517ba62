"""Calling AWS about a store that may be gone already: a retirement interrupted after Terraform deleted part of
it simply runs again."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from residency.errors import ResidencyError


@contextmanager
def aws_call(resource: str, gone: Collection[str]) -> Iterator[None]:
    """Ends the block quietly when `resource` no longer exists (AWS answers one of the error codes `gone`); any
    other AWS failure names it."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in gone:
            raise ResidencyError(f"AWS refused an operation on {resource}: {error}") from error
    except BotoCoreError as error:
        raise ResidencyError(f"could not ask AWS about {resource}: {error}") from error
