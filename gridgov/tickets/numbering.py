"""Ticket numbers: each channel's format, filled with its prefix, the day and the day's sequence number. Pure."""

from datetime import date

DEFAULT_NUMBER_FORMAT = "{prefix}{date:%Y%m%d}{seq:05d}"
MAX_NUMBER_LENGTH = 30  # Ticket.number


def format_number(pattern: str, prefix: str, day: date, seq: int) -> str:
    """'{prefix}{date:%Y%m%d}{seq:05d}' → 'RX2026030200001'; ValueError (in Chinese) for a format that cannot number."""
    if "{seq" not in pattern:
        raise ValueError("编号格式必须包含当日序号 {seq}，否则同一天的工单编号会重复")
    try:
        number = pattern.format(prefix=prefix, date=day, seq=seq)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError) as e:
        raise ValueError(f"编号格式无效：{e}（可用 {{prefix}}、{{date:%Y%m%d}}、{{seq:05d}}）") from None
    if len(number) > MAX_NUMBER_LENGTH:
        raise ValueError(f"编号长度超过 {MAX_NUMBER_LENGTH} 位：{number}")
    return number


# Two days and two prefixes a format must tell apart: the sequence restarts every day and every channel.
_PROBES = (("A", date(2026, 1, 1)), ("A", date(2026, 1, 2)), ("A", date(2027, 1, 1)), ("B", date(2026, 1, 1)))


def check_format(pattern: str) -> None:
    """ValueError unless the format numbers and never repeats a number across days or channels."""
    numbers = [format_number(pattern, prefix, day, 1) for prefix, day in _PROBES]
    if len(set(numbers)) < len(numbers):
        raise ValueError("编号格式必须包含渠道前缀 {prefix} 和完整的受理日期（年月日），否则不同日期或渠道的编号会重复")
