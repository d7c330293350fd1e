"""What the two HTTP entry points share: the API (``creditfactory.api``) and the staff pages
(``creditfactory.web``) import this package and never each other.

``deps``: the request dependencies (the service context, the token signer); ``security``: the
signed tokens and the login limiter; ``errors``: service errors to HTTP statuses; ``schemas``:
the request and response bodies, which the pages also validate their forms with.
``creditfactory.server`` puts both entry points on one application.
"""
