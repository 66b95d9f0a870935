"""The mutation record (``python -m tests.mutations``) stays runnable: every search text still
stands exactly once in its product file, so a refactor that moves the code is noticed here, in
``make test``, rather than the next time someone runs the slow mutation harness."""

from __future__ import annotations

import pytest

from tests.mutations import MUTATIONS, ROOT


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutation_still_applies(mutation):
    path = ROOT / mutation.path
    assert path.is_file(), f"{mutation.name}: {mutation.path} is gone"
    count = path.read_text(encoding="utf-8").count(mutation.search)
    assert count == 1, f"{mutation.name}: search text found {count} times in {mutation.path}"
