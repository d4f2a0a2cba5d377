"""The web app: the read API, its OpenAPI schema and docs, the explorer's built pages, `/health`.

Built by `create_app` from ready use cases, so tests, `discogsography web` and `discogsography demo`
compose the same app over whichever stores they were given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from pydantic import ValidationError
from quart import Quart, Response, jsonify, request, send_from_directory
from quart_cors import cors
from quart_rate_limiter import RateLimiter, RateLimitExceeded
from quart_schema import (
    Info,
    OpenAPIProvider,
    QuartSchema,
    RequestSchemaValidationError,
    hide,
    validate_response,
)
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import HTTPException

from applications.settings import WebSettings
from applications.web import schemas
from applications.web.api import api
from domain.explore import GraphQueryFailed
from domain.exploring import Exploring, InvalidRequest, NotFound, QueryTimedOut
from domain.schema import StoreUnavailable

log = structlog.get_logger(__name__)

EXPLORE_DIR = Path(__file__).parent / "explore_dist"
"""Where the explorer's build lands (frontends/explore, `npm run build`); packaged with the app."""

DOCS_ASSETS = "/docs-assets"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), camera=()",
}
MAX_BODY_BYTES = 64 * 1024
"""No read endpoint takes a body; anything bigger than this is refused before it is read."""

NOT_BUILT_PAGE = (
    "<!doctype html><title>Discogsography</title><h1>The explorer is not built</h1>"
    "<p>Run <code>deploy/local/install-frontend.sh</code> (or <code>npm ci && npm run build</code> in "
    "<code>frontends/explore</code>) and reload. The API is at <a href='/docs'>/docs</a>.</p>"
)

Closer = Callable[[], Awaitable[None]]


class RequiredQueryParameters(OpenAPIProvider):
    """quart-schema leaves every query parameter optional in the schema; mark the ones the model requires."""

    def build_querystring_parameters(self, model: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        parameters, definitions = super().build_querystring_parameters(model)
        fields = getattr(model, "model_fields", {})
        for parameter in parameters:
            field = fields.get(parameter["name"])
            if field is not None and field.is_required():
                parameter["required"] = True
        return parameters, definitions


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def _validation_message(error: RequestSchemaValidationError) -> str:
    """Which parameter is wrong and why, without echoing what was sent (it may be 10,000 characters)."""
    cause = error.validation_error
    if isinstance(cause, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'query'}: {e['msg']}" for e in cause.errors()]
        return "Invalid parameters: " + "; ".join(parts)
    return "Invalid parameters"


def create_app(
    exploring: Exploring,
    settings: WebSettings,
    on_close: Closer | None = None,
    explore_dir: Path = EXPLORE_DIR,
) -> Quart:
    app = Quart("discogsography")
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.config["QUART_SCHEMA_SWAGGER_JS_URL"] = f"{DOCS_ASSETS}/swagger-ui-bundle.js"
    app.config["QUART_SCHEMA_SWAGGER_CSS_URL"] = f"{DOCS_ASSETS}/swagger-ui.css"
    app.extensions["exploring"] = exploring
    QuartSchema(
        app,
        info=Info(
            title="Discogsography API", version="1.0", description="The Discogs knowledge graph, read side."
        ),
        redoc_ui_path=None,
        scalar_ui_path=None,
        pydantic_dump_options={"exclude_unset": True},
        openapi_provider_class=RequiredQueryParameters,
    )
    RateLimiter(app, key_function=_client_key(settings.trusted_proxy_hops), enabled=settings.rate_limits)
    app = cors(
        app,
        allow_origin=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
    )
    app.register_blueprint(api)
    started = {"ready": False}

    @app.before_serving
    async def mark_ready() -> None:
        started["ready"] = True

    @app.after_serving
    async def close_stores() -> None:
        if on_close is not None:
            await on_close()

    @app.get("/health")
    @validate_response(schemas.HealthResponse)
    async def health() -> dict[str, Any]:
        """Whether the API serves: `starting` until its stores are open."""
        return {
            "status": "healthy" if started["ready"] else "starting",
            "service": "api",
            "timestamp": datetime.now(UTC).isoformat(),
        }

    @app.get(f"{DOCS_ASSETS}/<path:name>")
    @hide
    async def docs_asset(name: str) -> Response:
        return await send_from_directory(Path(str(swagger_ui_path)), name)

    @app.get("/")
    @hide
    async def explorer() -> Response | tuple[str, int]:
        if not (explore_dir / "index.html").is_file():
            return NOT_BUILT_PAGE, 503
        response = await send_from_directory(explore_dir, "index.html")
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.get("/assets/<path:name>")
    @hide
    async def explorer_asset(name: str) -> Response:
        response = await send_from_directory(explore_dir / "assets", name)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    @app.after_request
    async def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    _register_error_handlers(app)
    return app


def _client_key(trusted_hops: int) -> Callable[[], Awaitable[str]]:
    """Rate limits count per client address; X-Forwarded-For only as far as the trusted proxies reach."""

    async def key() -> str:
        if trusted_hops > 0:
            route = request.access_route
            if len(route) > trusted_hops:
                return route[-trusted_hops - 1]
        return request.remote_addr or "unknown"

    return key


def _register_error_handlers(app: Quart) -> None:
    @app.errorhandler(RequestSchemaValidationError)
    async def invalid_parameters(error: RequestSchemaValidationError) -> tuple[Response, int]:
        return _error(_validation_message(error), 422)

    @app.errorhandler(InvalidRequest)
    async def invalid_request(error: InvalidRequest) -> tuple[Response, int]:
        return _error(str(error), 400)

    @app.errorhandler(NotFound)
    async def not_found(error: NotFound) -> tuple[Response, int]:
        return _error(str(error), 404)

    @app.errorhandler(QueryTimedOut)
    async def timed_out(error: QueryTimedOut) -> tuple[Response, int]:
        return _error(str(error), 504)

    @app.errorhandler(GraphQueryFailed)
    async def graph_query_failed(error: GraphQueryFailed) -> tuple[Response, int]:
        if error.timed_out:
            return _error("The graph query timed out", 504)
        log.error("graph_query_failed", error=str(error), path=request.path)
        return _error("Internal server error", 500)

    @app.errorhandler(StoreUnavailable)
    async def store_unavailable(error: StoreUnavailable) -> tuple[Response, int]:
        log.warning("store_unavailable", error=str(error), path=request.path)
        return _error("Service not ready: a store is unavailable", 503)

    @app.errorhandler(RateLimitExceeded)
    async def rate_limited(error: RateLimitExceeded) -> Response:
        response = jsonify({"error": "Rate limit exceeded, retry later"})
        response.status_code = 429
        for name, value in error.get_headers():
            response.headers[name] = value
        return response

    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException) -> Response:
        response = jsonify({"error": error.description or error.name})
        response.status_code = error.code or 500
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    async def unexpected(error: Exception) -> tuple[Response, int]:
        log.exception("request_failed", path=request.path, error=str(error))
        return _error("Internal server error", 500)
