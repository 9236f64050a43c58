"""The OCDS 1.1.5 schemas shipped with the project, with the lots and techniques extensions applied."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
VERSION = "1.1"
EXTENSIONS = ("lots", "techniques")
# Where the extensions are published (package metadata; never fetched).
EXTENSION_URLS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
)
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"


def load(name: str) -> dict:
    with open(SCHEMA_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)


def merge_patch(target: dict, patch: dict) -> dict:
    """RFC 7386: objects merge key by key, ``null`` removes, anything else replaces."""
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge_patch(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def _prune_dangling(node, definitions: dict) -> None:
    """Drop the properties that refer to a definition no applied extension brings (the lots
    extension's ``submissionTerms`` belongs to the submission terms extension, not used here)."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, prop in list(properties.items()):
                ref = prop.get("$ref", "") if isinstance(prop, dict) else ""
                if ref.startswith("#/definitions/") and ref.removeprefix("#/definitions/") not in definitions:
                    del properties[name]
        for child in node.values():
            _prune_dangling(child, definitions)
    elif isinstance(node, list):
        for child in node:
            _prune_dangling(child, definitions)


@functools.cache
def _release_schema() -> dict:
    schema = load("release-schema.json")
    for extension in EXTENSIONS:
        schema = merge_patch(schema, load(f"extensions/{extension}/release-schema.json"))
    _prune_dangling(schema, schema["definitions"])
    return schema


def release_schema() -> dict:
    """The release schema with the extensions applied (a fresh copy: callers may change it)."""
    return copy.deepcopy(_release_schema())


@functools.cache
def merger():
    """The compiled-release merger, with the merge rules of the extended schema."""
    import ocdsmerge

    return ocdsmerge.Merger(schema=release_schema())
