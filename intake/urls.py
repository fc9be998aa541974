"""Paths to routes by route name, as `request.url_for` finds them, resolved once per route.

Finding a route by name walks every route of the app (about 0.1 ms); an
answer with a link per item would pay that per item. So each route's path is
found once per app, with placeholders, and filled in per use.
"""

from starlette.requests import Request


def path_for(request: Request, name: str, **params: str | int) -> str:
    """The path of route `name` with `params` (`/api/v1/sites/3/modules`)."""
    templates: dict[tuple[str, ...], str] = request.app.state.route_paths
    key = (name, *sorted(params))
    template = templates.get(key)
    if template is None:
        template = templates[key] = request.app.url_path_for(name, **{param: "{" + param + "}" for param in params})
    return template.format(**params)
