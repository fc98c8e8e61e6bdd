"""The OpenAPI 3.1 document of a Chalice app (shop, admin), generated from its routes and from the
pydantic models its views read, never written by hand: each app serves it at `/openapi.json`.

What a view reads is found in its own source, so a new route is described as soon as it exists:
`body(module.Model)` or `parse_body(request, module.Model)` is its JSON body,
`query(module.Model)` or `module.Model.model_validate(...query_params...)` its query, `request.headers.get("Name")` a
header, a `status=201` in its decorator or its answer the status of success, and the return
annotation of the service it calls (`-> dict`, `-> list[dict]`) the shape of that answer (the
services answer plain dicts: no more is known of them). Every refusal is the contract's error
body, exactly. Built on the first request for it, never at a cold start: it imports every model."""
from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from dataclasses import dataclass, field
from functools import cache
from typing import Any

OPENAPI_VERSION = "3.1.0"
CONTRACT_VERSION = "1.1"
SERVICES = "hubcycle.services."

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal: `code` names the rule (snake_case), `field` the field concerned or null.",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "field"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
            "message": {"type": "string"},
            "field": {"type": ["string", "null"]},
        },
    }},
}
REFUSALS = {
    "400": "Malformed JSON, or a body nested too deeply",
    "404": "Nothing has such an id, or no such path",
    "405": "The path does not answer this method",
    "409": "A conflict with the current state",
    "413": "The body is too large",
    "415": "The body is not JSON",
    "422": "Valid JSON, invalid value",
    "429": "Too many requests (API Gateway's throttling)",
    "503": "Not the request's fault, nothing was done: send it again",
}
SIGNED_IN_REFUSALS = {"401": "No token, or a bad one", "403": "Signed in, not allowed"}
ANSWER_SHAPES = {"dict": {"type": "object"}, "list[dict]": {"type": "array", "items": {"type": "object"}}}


@dataclass
class ViewReads:
    """What one view reads from its request and answers, found in its source."""

    body: type | None = None
    query: type | None = None
    headers: list[str] = field(default_factory=list)
    status: int | None = None
    answer: dict | None = None


@cache
def document(app, title: str, description: str) -> dict:
    """The OpenAPI document of `app`, built once per app."""
    from pydantic.json_schema import models_json_schema

    reads = {(path, method): read_view(entry.view_function)
             for path, methods in app.routes.items() for method, entry in methods.items()}
    models = {model for r in reads.values() for model in (r.body, r.query) if model is not None}
    refs, definitions = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                           ref_template="#/components/schemas/{model}")
    schemas = _without_impossible_defaults(definitions.get("$defs", {}))
    paths: dict[str, dict] = {}
    for (path, method), view in sorted(reads.items()):
        entry = app.routes[path][method]
        paths.setdefault(path, {})[method.lower()] = _operation(method, entry, view, refs, schemas)
    components: dict[str, Any] = {"schemas": {**schemas, "Error": ERROR_SCHEMA}}
    if any(entry.authorizer for methods in app.routes.values() for entry in methods.values()):
        components["securitySchemes"] = {"managers": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "The id token of a manager signed in to the managers' Cognito user pool."}}
    return {"openapi": OPENAPI_VERSION,
            "info": {"title": title, "version": CONTRACT_VERSION, "description": inspect.cleandoc(description or "")},
            "paths": paths, "components": components}


def _without_impossible_defaults(schema: Any) -> Any:
    """A changes model's field `name: str = None` means "not given": its schema's `default: null`
    is a value the field refuses, which OpenAPI's validators reject. Dropped; the field stays optional."""
    if isinstance(schema, list):
        return [_without_impossible_defaults(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    branches = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    takes_null = any("null" in branch.get("type", ()) for branch in branches)
    return {key: _without_impossible_defaults(value) for key, value in schema.items()
            if not (key == "default" and value is None and not takes_null)}


def _operation(method: str, entry, view: ViewReads, refs: dict, schemas: dict) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
                  for name in entry.view_args]
    parameters += [{"name": name, "in": "header", "required": False, "schema": {"type": "string"}}
                   for name in view.headers]
    if view.query is not None:
        query = schemas[refs[(view.query, "validation")]["$ref"].rsplit("/", 1)[-1]]
        parameters += [{"name": name, "in": "query", "required": name in query.get("required", []), "schema": schema}
                       for name, schema in query.get("properties", {}).items()]
    success = str(view.status or (204 if method == "DELETE" else 200))
    responses: dict[str, Any] = {success: {"description": "Done"}}
    if success != "204":
        responses[success]["content"] = {"application/json": {"schema": view.answer or {}}}
    refusals = {**REFUSALS, **(SIGNED_IN_REFUSALS if entry.authorizer else {})}
    for status, description in sorted(refusals.items()):
        responses[status] = {"description": description,
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    operation: dict[str, Any] = {"operationId": f"{method.lower()}_{entry.view_name}", "parameters": parameters,
                                 "responses": responses}
    summary = inspect.getdoc(inspect.unwrap(entry.view_function))
    if summary:
        operation["summary"] = summary.splitlines()[0]
    if view.body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": refs[(view.body, "validation")]}}}
    if entry.authorizer:
        operation["security"] = [{"managers": []}]
    return operation


def read_view(view) -> ViewReads:
    """What the view function reads and answers, from its source (decorators included)."""
    function = inspect.unwrap(view)
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    names = _Names(function, tree)
    reads = ViewReads()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = ast.unparse(node.func)
        if callee == "body" and len(node.args) == 1 or callee.endswith("parse_body") and len(node.args) == 2:
            reads.body = names.resolve(node.args[-1])
        elif callee == "query" and len(node.args) == 1:
            reads.query = names.resolve(node.args[0])
        elif callee.endswith(".model_validate") and "query_params" in ast.unparse(node):
            reads.query = names.resolve(node.func.value)
        elif callee.endswith("headers.get") and node.args and isinstance(node.args[0], ast.Constant):
            reads.headers.append(str(node.args[0].value).title())
        elif reads.answer is None:
            reads.answer = _answer_shape(names.resolve(node.func))
        for keyword in node.keywords:
            if keyword.arg == "status" and isinstance(keyword.value, ast.Constant):
                reads.status = keyword.value.value
    return reads


def _answer_shape(callee: Any) -> dict | None:
    """The shape a service function's return annotation names, if the callee is one."""
    if not callable(callee) or not (getattr(callee, "__module__", None) or "").startswith(SERVICES):
        return None
    return ANSWER_SHAPES.get(str(inspect.signature(callee).return_annotation))


class _Names:
    """The names a view's source uses: those it imports inside itself, then its module's."""

    def __init__(self, function, tree: ast.AST):
        self._globals = function.__globals__
        self._imported: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self._imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self._imported[alias.asname or alias.name] = alias.name

    def resolve(self, expression: ast.expr) -> Any:
        """The object a dotted name stands for, or None for anything else."""
        parts = ast.unparse(expression).split(".")
        if not all(part.isidentifier() for part in parts):
            return None
        root, *attributes = parts
        if root in self._imported:
            value = _import(self._imported[root])
        elif root in self._globals:
            value = self._globals[root]
        else:
            return None
        for attribute in attributes:
            value = getattr(value, attribute, None)
        return value


def _import(dotted: str) -> Any:
    try:
        return importlib.import_module(dotted)
    except ImportError:
        module, _, name = dotted.rpartition(".")
        return getattr(importlib.import_module(module), name)
