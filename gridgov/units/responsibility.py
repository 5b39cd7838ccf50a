"""Finding the responsibility-list version that applies to a ticket."""

from datetime import datetime

from gridgov.core.errors import InvalidInput
from gridgov.units.models import Category, ResponsibilityRule


def rule_in_force(category: Category, at: datetime, candidates=None) -> ResponsibilityRule:
    """Return the rule of the category (or its nearest ancestor) in force at `at`: changes apply to later tickets only.

    `candidates` lets a bulk caller pass rules it already loaded instead of querying.
    """
    order = category.ancestor_ids()
    if candidates is None:
        candidates = ResponsibilityRule.objects.filter(category_id__in=order).select_related("category", "department")
    rules = [r for r in candidates if r.category_id in order and r.effective_from <= at]
    best = min(rules, key=lambda r: (order.index(r.category_id), -r.effective_from.timestamp()), default=None)
    if best is None:
        raise InvalidInput(f"事项“{category.name}”在{at:%Y-%m-%d}尚无生效的责任清单")
    return best
