"""The Content-Security-Policy every page carries (django-csp), for every environment.

Scripts only from the portal itself: no page has an inline script (data for the scripts
travels in `json_script` blocks, which a browser never runs), the API docs use the Swagger
UI's split view (its script is a file too), and nothing comes from a CDN. Inline *style*
attributes stay allowed: the admin and a few pages use them, and a style cannot run code.
"""

from csp.constants import NONE, SELF, UNSAFE_INLINE

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
