"""tessera_session: Flask sessions in Redis, in Tessera's format 1 (docs/format.md), shared with Node
apps that use tessera-session.

Example::

    from tessera_session import install
    install(app, redis.Redis.from_url(url), secrets=[secret], prefix="myapp:")
"""

from .format import FORMAT_VERSION, EncryptedSessionError, SessionDataError, SessionKeyError, SessionRetiredError
from .interface import TesseraSessionInterface, csrf_protect
from .session import TesseraSession


def install(app, client, **options) -> TesseraSessionInterface:
    """Makes ``session`` a Tessera session and checks CSRF on every state-changing request."""
    app.session_interface = TesseraSessionInterface(client, **options)
    csrf_protect(app)
    return app.session_interface


__all__ = ["FORMAT_VERSION", "EncryptedSessionError", "SessionDataError", "SessionKeyError", "SessionRetiredError", "TesseraSession",
           "TesseraSessionInterface", "csrf_protect", "install"]
