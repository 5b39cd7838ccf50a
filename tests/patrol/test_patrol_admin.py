"""Visits in the Django admin: listed and corrected in Chinese, but recorded only through do_record_visit."""

from gridgov.patrol.actions import do_record_visit


def test_visits_are_in_the_admin_in_chinese(client, world):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    v = do_record_visit(world.grid_worker, area_code=world.grid_a1.code, address="金茂小区3栋", household="张三丰",
                        people_count=2, situation="hazard")
    client.force_login(world.admin)
    assert "网格巡查" in client.get("/admin/").content.decode()
    listing = client.get("/admin/patrol/visit/").content.decode()
    assert "入户走访" in listing and "安全隐患" in listing and "金茂第1网格" in listing
    change = client.get(f"/admin/patrol/visit/{v.pk}/change/").content.decode()
    assert "户主/住户" in change and "走访情况" in change
    assert client.get("/admin/patrol/visit/add/").status_code == 403
