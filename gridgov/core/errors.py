"""Domain errors with a stable code and a Chinese message for users."""


class DomainError(Exception):
    """A refused operation: nothing was changed."""

    status = 400

    def __init__(self, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class NotFound(DomainError):
    """The object does not exist or the user may not see it (the two look the same)."""

    status = 404

    def __init__(self, message: str = "对象不存在或无权访问"):
        super().__init__("not_found", message)


class Forbidden(DomainError):
    """The user may see the object but not do this to it."""

    status = 403

    def __init__(self, message: str = "无权执行此操作"):
        super().__init__("forbidden", message)


class InvalidState(DomainError):
    """The action is not allowed in the object's current state."""

    status = 409

    def __init__(self, message: str):
        super().__init__("invalid_state", message)


class InvalidInput(DomainError):
    """A required field is missing or a value is unacceptable."""

    status = 422

    def __init__(self, message: str, details: dict | None = None):
        super().__init__("invalid_input", message, details)
