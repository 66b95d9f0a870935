"""What every case needs: settings, API tokens, captured SQL, EXPLAIN output and results."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import event

from . import db
from .harness import Gunicorn

ORG = "Synthetic partner 01"


@dataclass
class Bench:
    dataset: dict
    seconds: float = 10.0
    concurrency: list[int] = field(default_factory=lambda: [1, 4])
    batches: int = 40
    results: dict = field(default_factory=dict)
    plans: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    tokens: dict = field(default_factory=dict)

    def token(self, kind: str) -> str:
        """A fresh API token: ``read`` (partner grant) or ``write`` (read + append, restricted)."""
        if kind not in self.tokens:
            from humanitarian.extensions import db as sqla
            from humanitarian.models.enums import Scope, Sensitivity
            from humanitarian.services import Actor, create_token

            # Readers are partners; the writer may append the dataset's restricted records too.
            if kind == "read":
                scopes, grant = [Scope.read], Sensitivity.partner
            else:
                scopes, grant = [Scope.read, Scope.append], Sensitivity.restricted
            with db.app_context():
                _, secret = create_token(
                    Actor.system("bench"), ORG, scopes, grant, name=f"bench {kind}"
                )
                sqla.session.commit()
            self.tokens[kind] = secret
        return self.tokens[kind]

    def auth(self, kind: str = "read") -> dict:
        return {"Authorization": f"Bearer {self.token(kind)}"}

    def server(self, **kw) -> Gunicorn:
        return Gunicorn(**kw)

    def log(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Statement:
    sql: str
    params: object

    @property
    def is_read(self) -> bool:
        return self.sql.lstrip().upper().startswith("SELECT")


def capture(path: str, headers: dict) -> list[Statement]:
    """The SQL statements (with parameters) the app sends for one GET, in order.

    They come from the real request handled in-process by the Flask test client, as handed
    to the psycopg driver, so replaying them raw repeats exactly the database's share."""
    from humanitarian.extensions import db as sqla

    seen: list[Statement] = []
    with db.app_context() as app:

        def record(conn, cursor, statement, parameters, context, executemany):
            seen.append(Statement(statement, parameters))

        event.listen(sqla.engine, "before_cursor_execute", record)
        try:
            response = app.test_client().get(path, headers=headers)
            response.get_data()
        finally:
            event.remove(sqla.engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} answered {response.status_code}: {response.data[:500]}")
    return seen


def replayer(statements: list[Statement]):
    """A factory for ``call_load``: each thread gets a connection replaying the statements
    as one transaction (rolled back, so conditional writes stay no-ops)."""

    def factory():
        conn = psycopg.connect(db.conninfo())

        def call() -> bool:
            with conn.cursor() as cur:
                for s in statements:
                    cur.execute(s.sql, s.params)
                    if cur.description is not None:
                        cur.fetchall()
            conn.rollback()
            return True

        return call

    return factory


def explain(statement: Statement, analyze: bool = True) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of a captured statement, parameters inlined client-side."""
    options = "ANALYZE, BUFFERS" if analyze else "COSTS"
    with psycopg.connect(db.conninfo()) as conn:
        cur = psycopg.ClientCursor(conn)
        cur.execute(f"EXPLAIN ({options}) " + statement.sql, statement.params)
        text = "\n".join(row[0] for row in cur.fetchall())
        conn.rollback()
    return text


def main_query(statements: list[Statement], table: str) -> Statement:
    """The statement that reads most from ``table`` (the list query, not the lookups)."""
    pattern = re.compile(rf"\bFROM {table}\b")
    candidates = [s for s in statements if s.is_read and pattern.search(s.sql)]
    if not candidates:
        raise RuntimeError(f"no SELECT from {table} among {len(statements)} statements")
    return max(candidates, key=lambda s: len(s.sql))
