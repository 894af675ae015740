"""How agentops turns Python values into JSON (the same conversion events use)."""

from __future__ import annotations

import json
from typing import Any

from . import _native

PLACEHOLDER: str = _native.NON_SERIALIZABLE_FORMAT
"""What a value JSON cannot hold becomes (`type_name` is the type's `__qualname__`)."""


def safe_serialize(obj: Any) -> str:
    """JSON text of `obj`; never raises. Tuples and sets become arrays; pydantic models
    (`model_dump()`) and dataclasses become objects of their fields; `uuid.UUID`,
    dates and enums become their string / ISO form / value; objects with `to_dict()`,
    `dict()`, `to_json()` or `json()` are converted through them; anything else becomes
    `"<<non-serializable: TypeName>>"`, and a failing conversion
    `"<<serialization-error: message>>"`."""
    return _native.to_json(obj)


def to_jsonable(obj: Any) -> Any:
    """`obj` as plain JSON data (dict/list/str/int/float/bool/None)."""
    return json.loads(_native.to_json(obj))
