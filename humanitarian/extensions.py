"""Extension singletons, bound to an app in ``create_app``."""

from flask import current_app, has_app_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()
# Translations live in humanitarian/translations (compiled by `make install`). The pages are
# English for now; sitreps choose their language per edition (``force_locale``).
babel = Babel()


class AppLimiter(Limiter):
    """Flask-Limiter with the counters' storage kept per app.

    Flask-Limiter stores its storage on the extension object, so with one module-level limiter
    every app built in the same process (tests, a CLI beside a server) would count in the
    storage of whichever app was created last. Each app keeps its own storage here: its
    ``RATELIMIT_STORAGE_URI`` (Redis when configured, so several processes share counts) and
    key prefix."""

    def init_app(self, app) -> None:
        super().init_app(app)
        app.extensions["humanitarian.ratelimit"] = (self._storage, self._limiter)

    def _own(self):
        return current_app.extensions.get("humanitarian.ratelimit") if has_app_context() else None

    @property
    def storage(self):
        own = self._own()
        return own[0] if own else super().storage

    @property
    def limiter(self):
        own = self._own()
        return own[1] if own else super().limiter


# Limits are declared where they apply (login view, API blueprints); storage comes from config.
limiter = AppLimiter(key_func=get_remote_address, default_limits=[])


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite ignores foreign keys unless asked, and WAL lets readers run beside a writer.
    if _is_sqlite(dbapi_connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
