"""Writing audit entries."""

from gridgov.audit.models import AuditLog
from gridgov.core import clock


def audit(actor, action: str, obj, *, reason: str = "", **detail) -> AuditLog:
    """Record that `actor` did `action` to `obj` (a model instance)."""
    return AuditLog.objects.create(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        reason=reason,
        detail=detail,
    )
