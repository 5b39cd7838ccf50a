"""Importing the area tree from GeoJSON: all or nothing, and back out again."""

import json

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import box, mapping

from gridgov.areas.importer import AreaImportError, export_areas, import_areas
from gridgov.areas.models import Area
from gridgov.tickets.routing_context import routing_inputs


def feature(code, name, level, parent, geom, kind=""):
    return {"type": "Feature", "geometry": mapping(geom) if geom is not None else None,
            "properties": {"code": code, "name": name, "level": level, "parent_code": parent, "kind": kind}}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


GOOD = collection(
    feature("430104", "岳麓区", 0, None, box(0, 0, 2, 1)),
    feature("430104001", "望月湖街道", 1, "430104", box(0, 0, 1, 1), "urban"),
    feature("430104002", "岳麓街道", 1, "430104", box(1, 0, 2, 1), "urban"),
    feature("430104001001", "金茂社区", 2, "430104001", box(0, 0, 1, 0.5), "urban"),
)


@pytest.mark.django_db
def test_import_creates_the_tree_and_the_router_sees_it():
    assert import_areas(GOOD).created == 4
    assert set(Area.objects.subtree("430104001").values_list("code", flat=True)) == {"430104001", "430104001001"}
    assert routing_inputs().grid_index.locate(0.5, 0.25) == "430104001001"


@pytest.mark.django_db
def test_a_file_with_problems_imports_nothing_and_lists_every_problem():
    bad = collection(
        feature("430104", "岳麓区", 0, None, box(0, 0, 2, 1)),
        feature("430104001", "望月湖街道", 1, "430104", box(0, 0, 1.5, 1)),
        feature("430104002", "岳麓街道", 1, "430104", box(1, 0, 2, 1)),  # overlaps 001
        feature("430104003", "桔子洲街道", 1, "430104", box(3, 3, 4, 4)),  # outside the district
        feature("430104009001", "孤儿社区", 2, "430104009", None),  # parent missing
        feature("430104001", "重复", 1, "430104", None),  # duplicate code
    )
    with pytest.raises(AreaImportError) as err:
        import_areas(bad)
    kinds = {p.kind for p in err.value.problems}
    assert {"sibling_overlap", "outside_parent", "parent_missing", "duplicate_code"} <= kinds
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_reimport_updates_and_export_round_trips(tmp_path):
    import_areas(GOOD)
    renamed = json.loads(json.dumps(GOOD))
    renamed["features"][3]["properties"]["name"] = "金茂湾社区"
    result = import_areas(renamed)
    assert (result.created, result.updated) == (0, 4)
    assert Area.objects.get(code="430104001001").name == "金茂湾社区"
    exported = export_areas()
    assert [f["properties"]["code"] for f in exported["features"]] == ["430104", "430104001", "430104002", "430104001001"]
    for level in (2, 1, 0):
        Area.objects.filter(level=level).delete()
    import_areas(exported)
    assert export_areas() == exported


@pytest.mark.django_db
def test_command_reports_problems_in_chinese(tmp_path, capsys):
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(collection(feature("430104001", "望月湖街道", 1, "430104", None))), encoding="utf-8")
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("areas", "import", str(path))
    assert Area.objects.count() == 0
    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(GOOD), encoding="utf-8")
    call_command("areas", "import", str(good))
    out = tmp_path / "out.geojson"
    call_command("areas", "export", "--root", "430104001", "-o", str(out))
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 2
