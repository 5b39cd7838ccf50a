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
    except (KeyError, IndexError, ValueError) as e:
        raise ValueError(f"编号格式无效：{e}（可用 {{prefix}}、{{date:%Y%m%d}}、{{seq:05d}}）") from None
    if len(number) > MAX_NUMBER_LENGTH:
        raise ValueError(f"编号长度超过 {MAX_NUMBER_LENGTH} 位：{number}")
    return number
