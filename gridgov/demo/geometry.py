"""Generated grid boundaries for the demo district: nested, non-overlapping convex polygons."""

import math

import shapely
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from gridgov.demo import reference

DISTRICT_BOUNDS = (112.80, 28.08, 113.00, 28.28)

# There is no open data set of street- or community-level boundaries, so the demo cuts the
# district by recursive straight slices. Slicing a convex polygon by a line gives two convex
# polygons, so every cell stays a valid, simple polygon and clipping stays cheap pure Python.

_BISECT_STEPS = 32
_TILT = 0.35  # radians a cut may lean away from the axis, so the map is not a brick wall


def _area(ring):
    """Signed shoelace area of an open ring (positive when counter-clockwise)."""
    total = 0.0
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        total += x1 * y2 - x2 * y1
    return total / 2.0


def _clip(ring, nx, ny, t, low):
    """Clip a convex open ring to the half-plane n·p <= t (low) or n·p >= t (not low)."""
    out = []
    n = len(ring)
    dists = [x * nx + y * ny - t for x, y in ring]
    for i in range(n):
        a, b = ring[i], ring[(i + 1) % n]
        da, db = dists[i], dists[(i + 1) % n]
        if (da <= 0) if low else (da >= 0):
            out.append(a)
        if (da < 0 < db) or (db < 0 < da):
            # Both halves walk each edge in the same direction, so the cut vertex they
            # compute is bit-for-bit the same and the two halves share their boundary exactly.
            s = da / (da - db)
            out.append((a[0] + (b[0] - a[0]) * s, a[1] + (b[1] - a[1]) * s))
    return out


def _cut(ring, fraction, angle):
    """Cut a convex ring by a line with normal at angle so the low side holds fraction of it."""
    nx, ny = math.cos(angle), math.sin(angle)
    total = _area(ring)
    proj = [x * nx + y * ny for x, y in ring]
    lo, hi = min(proj), max(proj)
    target = total * fraction
    for _ in range(_BISECT_STEPS):
        mid = (lo + hi) / 2.0
        if _area(_clip(ring, nx, ny, mid, True)) < target:
            lo = mid
        else:
            hi = mid
    t = (lo + hi) / 2.0
    return _clip(ring, nx, ny, t, True), _clip(ring, nx, ny, t, False)


def _split(ring, weights, rng):
    """Split a convex ring into len(weights) convex rings with areas roughly by weight."""
    n = len(weights)
    if n == 1:
        return [ring]
    # Split the count near the middle with some play, so cells are not a strict binary tree.
    k = round(n * rng.uniform(0.35, 0.65))
    k = min(max(k, 1), n - 1)
    share = sum(weights[:k]) / sum(weights)
    fraction = min(max(share * rng.uniform(0.85, 1.15), 0.05), 0.95)
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    # Cut across the longer side to keep cells compact; ties cut west/east, so the first
    # weights end up west (or south) of the later ones.
    base = 0.0 if (max(xs) - min(xs)) >= (max(ys) - min(ys)) else math.pi / 2
    low, high = _cut(ring, fraction, base + rng.uniform(-_TILT, _TILT))
    return _split(low, weights[:k], rng) + _split(high, weights[k:], rng)


def _ring_of(polygon):
    """Open counter-clockwise ring of a convex polygon's exterior."""
    if polygon.is_empty or not isinstance(polygon, Polygon) or polygon.interiors:
        raise ValueError("split_box needs a single polygon without holes")
    hull = polygon.convex_hull
    if abs(hull.area - polygon.area) > 1e-12 * max(polygon.area, 1.0):
        raise ValueError("split_box needs a convex polygon")
    coords = list(orient(polygon, 1.0).exterior.coords)[:-1]
    return [(float(x), float(y)) for x, y in coords]


def _polygons(rings):
    """Shapely polygons from open rings."""
    return [Polygon(ring) for ring in rings]


def split_box(box, n, rng, weights=None):
    """Split a convex polygon into n convex cells that tile it exactly."""
    if n < 1:
        raise ValueError("n must be at least 1")
    if weights is not None and len(weights) != n:
        raise ValueError("weights must have n entries")
    return _polygons(_split(_ring_of(box), list(weights or [1.0] * n), rng))


def _unique_name(rng, first, second, suffix, used):
    """Draw first+second+suffix until it is not in used; fall back to a numbered name."""
    for _ in range(200):
        name = rng.choice(first) + rng.choice(second) + suffix
        if name not in used:
            used.add(name)
            return name
    stem, i = rng.choice(first), 1
    while f"{stem}{i}{suffix}" in used:
        i += 1
    name = f"{stem}{i}{suffix}"
    used.add(name)
    return name


def _community_names(rng, street_code, kind, count, used):
    """Names for the communities (urban) or villages (rural) of one street."""
    parts = reference.COMMUNITY_NAME_PARTS
    names = []
    names.extend(reference.KNOWN_COMMUNITIES.get(street_code, [])[:count])
    prefix = "urban" if kind == "urban" else "rural"
    while len(names) < count:
        names.append(_unique_name(
            rng, parts[f"{prefix}_first"], parts[f"{prefix}_second"], parts[f"{prefix}_suffix"], used,
        ))
    return names


def _grid3_names(rng, kind, count):
    """Level-3 grid names: estates in urban communities, numbered zones elsewhere."""
    parts = reference.COMMUNITY_NAME_PARTS
    used = set()
    names = []
    for i in range(1, count + 1):
        if kind == "urban" and rng.random() < 0.6:
            names.append(_unique_name(rng, parts["estate_first"], parts["estate_second"], "网格", used))
        else:
            names.append(f"第{i}网格")
    return names


def _range(rng, bounds):
    """Random integer in an inclusive (low, high) pair."""
    low, high = bounds
    return rng.randint(low, high)


def build_tree(
    rng,
    district_bounds=DISTRICT_BOUNDS,
    communities_per_street=(6, 12),
    grids3_per_community=(3, 6),
    grids4_per_grid3=(3, 6),
):
    """All demo areas, parents before children: dicts of code, name, level, parent_code, kind, polygon."""
    minx, miny, maxx, maxy = district_bounds
    district_ring = [(minx, miny), (maxx, miny), (maxx, maxy), (minx, maxy)]
    district_code, district_name = reference.DISTRICT
    rows = [(district_code, district_name, 0, None, "district", district_ring)]

    # Towns first, the urban core last: the first cut runs north-south, so the rural towns land
    # in the west and the old streets by the river in the east, as in the real Yuelu.
    street_by_code = {code: (code, name, kind) for code, name, kind in reference.STREETS}
    order = [code for group in ("C", "B", "A") for code in reference.STREET_GROUPS[group]]
    order += [code for code in street_by_code if code not in order]
    # Towns and the newer streets cover far more land than the dense core streets.
    size = {"C": 4.0, "B": 2.0, "A": 1.0}
    group_of = {code: g for g, codes in reference.STREET_GROUPS.items() for code in codes}
    weights = [size.get(group_of.get(code), 1.0) for code in order]
    street_rings = _split(district_ring, weights, rng)
    ring_of_street = dict(zip(order, street_rings))

    # Reserve the real names up front so a generated name can never take one first.
    used_community_names = {name for names in reference.KNOWN_COMMUNITIES.values() for name in names}
    for street_code, street_name, kind in reference.STREETS:
        street_ring = ring_of_street[street_code]
        rows.append((street_code, street_name, 1, district_code, kind, street_ring))
        n2 = _range(rng, communities_per_street)
        names2 = _community_names(rng, street_code, kind, n2, used_community_names)
        for i2, (ring2, name2) in enumerate(zip(_split(street_ring, [1.0] * n2, rng), names2), start=1):
            code2 = f"{street_code}{i2:03d}"
            rows.append((code2, name2, 2, street_code, kind, ring2))
            n3 = _range(rng, grids3_per_community)
            names3 = _grid3_names(rng, kind, n3)
            for i3, (ring3, name3) in enumerate(zip(_split(ring2, [1.0] * n3, rng), names3), start=1):
                code3 = f"{code2}{i3:03d}"
                rows.append((code3, name3, 3, code2, kind, ring3))
                n4 = _range(rng, grids4_per_grid3)
                unit = "栋" if kind == "urban" else "组"
                for i4, ring4 in enumerate(_split(ring3, [1.0] * n4, rng), start=1):
                    rows.append((f"{code3}{i4:03d}", f"{i4}{unit}", 4, code3, kind, ring4))

    polygons = _polygons([row[5] for row in rows])
    return [
        {"code": code, "name": name, "level": level, "parent_code": parent, "kind": kind, "polygon": polygon}
        for (code, name, level, parent, kind, _ring), polygon in zip(rows, polygons)
    ]


def random_point_in(polygon, rng):
    """A uniformly random (lon, lat) strictly inside polygon, rounded to 6 decimals (~0.1 m)."""
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(1000):
        x = round(rng.uniform(minx, maxx), 6)
        y = round(rng.uniform(miny, maxy), 6)
        if shapely.contains_xy(polygon, x, y):
            return (x, y)
    # Only a sliver thinner than the rounding step gets here; its interior point is still inside.
    point = polygon.representative_point()
    return (point.x, point.y)
