"""The standard intake channels every install starts with; admins can change them, and add their own."""

from decimal import Decimal

# code, name, prefix, (sign limit, unit) or None, (handle limit, unit) or None, description.
# None keeps the responsibility list's limits; a channel limit applies when it falls due first.
STANDARD_CHANNELS = (
    ("h12345", "12345热线", "RX", None, None, "市12345政务服务便民热线派发的工单（外部编号为市平台工单号）"),
    ("district_hotline", "区热线", "QX", None, None, "区服务热线"),
    ("mayor_mailbox", "市长信箱", "SZ", (Decimal(1), "work_days"), (Decimal(15), "work_days"), "来信15个工作日内答复"),
    ("head_mailbox", "区长信箱", "QZ", (Decimal(1), "work_days"), (Decimal(10), "work_days"), "来信10个工作日内答复"),
    ("patrol", "网格巡查", "WG", None, None, "网格员巡查上报"),
    ("whistle", "吹哨", "CS", (Decimal(2), "work_hours"), None, "街道、社区吹哨，部门报到"),
    ("online", "网络问政（马上就办）", "WZ", (Decimal(1), "work_days"), (Decimal(5), "work_days"),
     "网络问政平台交办，5个工作日内回复"),
    ("leifeng580", "雷锋580", "LF", None, None, "雷锋580志愿服务热线"),
    ("forest_fire", "林火预警", "LH", (Decimal("0.5"), "hours"), (Decimal(2), "hours"), "林火预警平台派发，全天候计时"),
    ("open311", "Open311", "OP", None, None, "Open311 GeoReport v2 接口提交"),
    ("self_report", "群众自报", "ZB", None, None, "群众通过移动端等自行上报"),
)


def install(channel_model) -> list:
    """Create the standard channels that are missing (existing ones, maybe edited by an admin, are left alone)."""
    created = []
    for sort, (code, name, prefix, sign, handle, description) in enumerate(STANDARD_CHANNELS):
        if channel_model.objects.filter(code=code).exists() or channel_model.objects.filter(prefix=prefix).exists():
            continue
        created.append(channel_model.objects.create(
            code=code, name=name, prefix=prefix, sort=sort, description=description,
            sign_limit=sign[0] if sign else None, sign_limit_unit=sign[1] if sign else "",
            handle_limit=handle[0] if handle else None, handle_limit_unit=handle[1] if handle else ""))
    return created
