"""Requests held to the Sheets API's own definition: its discovery document.

`data/sheets.v4.json` is Google's discovery document for Sheets v4, revision 20261019, as shipped in
google-api-python-client 2.202.0 (googleapiclient/discovery_cache/documents/sheets.v4.json).
Every request the test server gets is checked against it: the method and path, each query
parameter (known, of its type, one of its enum values, repeated only where allowed) and the JSON
body (every field known to its schema, of its type and enum). What Google would refuse with a
400 INVALID_ARGUMENT, the test server refuses too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).with_name("data") / "sheets.v4.json"


@dataclass(frozen=True)
class Method:
    id: str
    http_method: str
    path: re.Pattern[str]
    parameters: dict[str, Any]
    request: str | None  # the body's schema


@cache
def document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text(encoding="utf-8"))


@cache
def methods() -> list[Method]:
    found = []

    def walk(resource: dict[str, Any]) -> None:
        for spec in resource.get("methods", {}).values():
            pattern = re.escape("/" + spec["flatPath"]).replace(r"\{", "{").replace(r"\}", "}")
            pattern = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m[1]}>[^/:]+)" if m[1] != "range" else "(?P<range>.+)",
                             pattern)  # fmt: skip
            found.append(Method(spec["id"], spec["httpMethod"], re.compile(pattern + "$"), spec.get("parameters", {}),
                                spec.get("request", {}).get("$ref")))  # fmt: skip
        for child in resource.get("resources", {}).values():
            walk(child)

    for resource in document()["resources"].values():
        walk(resource)
    return found


def problem(http_method: str, path: str, query: dict[str, list[str]], body: Any) -> str | None:
    """Why Google would refuse this request (a 400's message), or None when it is well formed."""
    method = next((m for m in methods() if m.http_method == http_method and m.path.match(path)), None)
    if method is None:
        return f"no method of the Sheets API answers {http_method} {path}"
    for name, values in query.items():
        found = _query_problem(method, name, values)
        if found:
            return found
    if method.request and http_method != "GET":
        return _body_problem(body, method.request, "")
    return None


def _query_problem(method: Method, name: str, values: list[str]) -> str | None:
    spec = method.parameters.get(name) or document()["parameters"].get(name)
    if spec is None or spec.get("location") == "path":
        return f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter.'
    if len(values) > 1 and not spec.get("repeated"):
        return f'Invalid value for "{name}": repeated, but the parameter takes one value'
    for value in values:
        if "enum" in spec and value not in spec["enum"]:
            return f"Invalid value at '{name}' (type.googleapis.com/{method.id}), \"{value}\""
        if spec.get("type") == "boolean" and value not in ("true", "false"):
            return f"Invalid value at '{name}' (TYPE_BOOL), \"{value}\""
    return None


def _body_problem(value: Any, schema_name: str, where: str) -> str | None:
    return _check(value, {"$ref": schema_name}, where)


def _check(value: Any, spec: dict[str, Any], where: str) -> str | None:  # noqa: C901 - one branch per JSON type
    if "$ref" in spec:
        spec = document()["schemas"][spec["$ref"]]
    kind = spec.get("type")
    at = where or "the request"
    if kind == "object" and "properties" in spec:
        if not isinstance(value, dict):
            return f"Invalid JSON payload received. Expected an object at '{at}'."
        for name, item in value.items():
            if name not in spec["properties"]:
                return f"Invalid JSON payload received. Unknown name \"{name}\" at '{at}': Cannot find field."
            found = _check(item, spec["properties"][name], f"{where}.{name}" if where else name)
            if found:
                return found
        return None
    if kind == "object":  # a map
        items = spec.get("additionalProperties")
        if not isinstance(value, dict):
            return f"Invalid JSON payload received. Expected an object at '{at}'."
        return next((p for k, v in value.items() if items and (p := _check(v, items, f"{where}[{k}]"))), None)
    if kind == "array":
        if not isinstance(value, list):
            return f"Invalid JSON payload received. Expected a list at '{at}'."
        return next((p for i, v in enumerate(value) if (p := _check(v, spec["items"], f"{where}[{i}]"))), None)
    if kind == "string":
        if not isinstance(value, str):
            return f"Invalid value at '{at}' (TYPE_STRING), {json.dumps(value)}"
        if "enum" in spec and value not in spec["enum"]:
            return f"Invalid value at '{at}' (enum), \"{value}\""
        return None
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"Invalid value at '{at}' (TYPE_INT32), {json.dumps(value)}"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"Invalid value at '{at}' (TYPE_DOUBLE), {json.dumps(value)}"
    if kind == "boolean" and not isinstance(value, bool):
        return f"Invalid value at '{at}' (TYPE_BOOL), {json.dumps(value)}"
    return None  # "any": a cell value, whatever it is
