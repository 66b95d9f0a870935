"""The harness's own rules (tests/support.py)."""

import pytest

from tests.support import in_ci, unavailable


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "Yes", "on", " true "])
def test_any_true_ci_value_means_ci(value):
    assert in_ci({"CI": value})


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_other_values_do_not(value):
    assert not in_ci({"CI": value}) and not in_ci({})


def test_a_missing_requirement_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "yes")
    with pytest.raises(pytest.fail.Exception, match="required in CI: no server"):
        unavailable("no server")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no server"):
        unavailable("no server")
