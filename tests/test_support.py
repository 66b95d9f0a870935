"""The harness's own rules (tests/support.py, and the reset between tests in
tests/conftest.py)."""

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DatabaseError

from humanitarian.extensions import db
from humanitarian.models import AdminArea, AuditEvent, Incident
from humanitarian.services import Actor, record_incident
from tests import factories
from tests.conftest import reset_database
from tests.support import committed, in_ci, unavailable


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


def test_the_reset_empties_every_table_but_keeps_an_unchanged_gazetteer(app):
    record_incident(Actor.system("test"), factories.incident())
    stamped = db.session.get(AdminArea, "SY0703").updated_at
    reset_database()
    assert committed(select(func.count()).select_from(Incident)) == [0]
    assert committed(select(func.count()).select_from(AuditEvent)) == [0]
    assert db.session.get(AdminArea, "SY0703").updated_at == stamped  # not installed again
    record_incident(Actor.system("test"), factories.incident())  # audited
    with pytest.raises(DatabaseError, match="append-only"):  # the guard is back
        with db.engine.begin() as conn:
            conn.execute(delete(AuditEvent))


def test_the_reset_installs_the_shipped_gazetteer_again_after_a_test_changed_it(app):
    db.session.execute(update(AdminArea).where(AdminArea.pcode == "SY0703").values(name_en="Harem"))
    db.session.execute(delete(AdminArea).where(AdminArea.level == 3))
    db.session.commit()
    reset_database()
    levels = dict(committed(select(AdminArea.level, func.count()).group_by(AdminArea.level)))
    assert levels == {0: 1, 1: 14, 2: 62, 3: 272}
    assert committed(select(AdminArea.name_en).where(AdminArea.pcode == "SY0703")) == ["Harim"]
