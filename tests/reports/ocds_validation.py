"""Validate OCDS packages against the official 1.1.5 package schemas, with the project's
extensions applied to the release schema; the files ship in ``reports/ocds/schema`` (never fetched)."""

from __future__ import annotations

import functools
import json

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from reports.ocds import schema


@functools.cache
def _registry() -> Registry:
    resources = []
    release = schema.release_schema()
    for name, document in (
        ("release-schema.json", release),
        ("versioned-release-validation-schema.json", schema.load("versioned-release-validation-schema.json")),
    ):
        resources.append((schema.SCHEMA_BASE + name, Resource.from_contents(document, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


@functools.cache
def _validator(name: str) -> Draft4Validator:
    return Draft4Validator(schema.load(name), registry=_registry(), format_checker=Draft4Validator.FORMAT_CHECKER)


def errors(package: dict | str, kind: str = "release") -> list[str]:
    """Every error of ``package`` (a dict, or its JSON text)."""
    if isinstance(package, str):
        package = json.loads(package)
    validator = _validator(f"{kind}-package-schema.json")
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(package)]


def assert_valid(package: dict | str, kind: str = "release") -> None:
    found = errors(package, kind)
    assert found == [], "\n".join(found[:20])
