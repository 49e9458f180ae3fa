"""drf-spectacular extensions: how our authentication appears in the schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "claims.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A token from `manage.py create_token`, sent as "Token <token>" '
            'or "Bearer <token>". Tokens are stored hashed and expire.',
        }
