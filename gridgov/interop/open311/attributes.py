"""Posted attribute[code]=value pairs checked against a service definition (pure: no database)."""

import re

from gridgov.interop.open311.params import parse_w3c

_KEY = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
MAX_VALUE = 1000


def posted_attributes(params) -> dict[str, list[str]]:
    """Collect attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2 from a form as {code: [values]}."""
    found: dict[str, list[str]] = {}
    for key in params:
        match = _KEY.match(key)
        if match:
            found.setdefault(match.group(1), []).extend(v for v in params.getlist(key) if v.strip())
    return found


def _check_one(attr, values: list[str]):
    """Return (stored value, shown text) or raise ValueError with the problem."""
    if any(len(v) > MAX_VALUE for v in values):
        raise ValueError(f"is longer than {MAX_VALUE} characters / 超过 {MAX_VALUE} 字")
    names = {str(v["key"]): str(v["name"]) for v in attr.values or []}
    if attr.datatype == "multivaluelist":
        unknown = [v for v in values if v not in names]
        if unknown:
            raise ValueError(f"has unknown keys {', '.join(unknown)} / 选项不存在")
        return values, "、".join(names[v] for v in values)
    if len(values) > 1:
        raise ValueError("takes one value / 只能填写一个值")
    value = values[0]
    if attr.datatype == "singlevaluelist":
        if value not in names:
            raise ValueError(f"has unknown key {value} / 选项不存在")
        return value, names[value]
    if attr.datatype == "number":
        try:
            float(value)
        except ValueError:
            raise ValueError("must be a number / 须为数字") from None
    elif attr.datatype == "datetime":
        try:
            parse_w3c(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 datetime / 须为日期时间") from None
    elif attr.datatype == "string" and ("\n" in value or "\r" in value):
        raise ValueError("must be a single line / 不能换行")
    return value, value


def check_attributes(definitions, posted: dict[str, list[str]]) -> tuple[dict, list[str], list[str]]:
    """Validate posted values: return ({code: value}, description lines for staff, errors)."""
    by_code = {a.code: a for a in definitions}
    values, lines, errors = {}, [], []
    for code in posted:
        if code not in by_code:
            errors.append(f"attribute[{code}] is not defined for this service / 该服务没有属性 {code}")
    for attr in sorted(definitions, key=lambda a: a.order):
        given = posted.get(attr.code, [])
        if not attr.variable:
            continue  # informational only: nothing to collect
        if not given:
            if attr.required:
                errors.append(f"attribute[{attr.code}] is required / 必须填写“{attr.description}”")
            continue
        try:
            stored, shown = _check_one(attr, given)
        except ValueError as problem:
            errors.append(f"attribute[{attr.code}] {problem}（{attr.description}）")
            continue
        values[attr.code] = stored
        lines.append(f"{attr.description}：{shown}")
    return values, lines, errors
