from sqlalchemy import select

from humanitarian.extensions import db
from humanitarian.models import ApiToken, AuditEvent, User
from humanitarian.services import token_from_secret


def test_seed_demo_twice_changes_nothing(runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "records added: 29" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert "admin areas added: 0; records added: 0" in second.output


def test_create_token_prints_secret_once_and_stores_hash(runner):
    result = runner.invoke(
        args=[
            "create-token",
            "--org",
            "Partner NGO",
            "--scopes",
            "read,append",
            "--max-sensitivity",
            "partner",
        ]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    assert secret.startswith("hum_")
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash != secret and secret not in token.token_hash
    assert token.scopes == "append,read" and token.max_sensitivity == "partner"
    assert token_from_secret(secret).id == token.id
    revoked = runner.invoke(args=["revoke-token", str(token.id)])
    assert revoked.exit_code == 0, revoked.output
    assert token_from_secret(secret) is None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["token.create", "token.revoke"]


def test_create_token_rejects_unknown_scope(runner):
    result = runner.invoke(args=["create-token", "--org", "X", "--scopes", "read,everything"])
    assert result.exit_code != 0 and "everything" in result.output


def test_create_user_hashes_password(runner):
    result = runner.invoke(
        args=["create-user", "Field@Example.org", "--role", "reporter", "--org", "Hub"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert user.email == "field@example.org" and user.password_hash != "a-long-password"
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    short = runner.invoke(
        args=["create-user", "b@x.org", "--role", "viewer", "--org", "Hub"], input="short\nshort\n"
    )
    assert short.exit_code != 0 and "10 characters" in short.output
