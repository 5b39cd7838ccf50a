"""Validate JSON answers against the vendored Open311 schemas (draft 7, with format checks where available)."""

import json
import re
from functools import cache
from pathlib import Path

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "schemas"
# W3C datetime with seconds and a zone, as every date we send must be (the schema's "date-time" needs an extra package).
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


@cache
def _registry() -> Registry:
    resources = [(p.name, Resource.from_contents(json.loads(p.read_text()), default_specification=DRAFT7))
                 for p in SCHEMAS.glob("*.json")]
    return Registry().with_resources(resources)


def validate(name: str, data) -> None:
    """Raise jsonschema.ValidationError unless `data` matches schemas/<name>.json."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft7Validator(schema, registry=_registry(), format_checker=FormatChecker()).validate(data)


def assert_dates(item: dict, *fields: str) -> None:
    """Check that the given fields are W3C datetimes with the Asia/Shanghai offset (or absent/null)."""
    for field in fields:
        value = item.get(field)
        if value is not None:
            assert W3C.match(value) and value.endswith("+08:00"), f"{field}={value!r}"
