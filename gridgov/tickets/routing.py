"""Pure ticket routing: locate a ticket in the area tree and suggest the handling units.

Nothing here touches Django or the database; callers load the area polygons, names,
aliases and unit mappings once, build a :class:`GridIndex` and a :class:`Gazetteer`,
and call :func:`route` for each ticket.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

CODE_LENGTHS = (6, 9, 12, 15, 18)
HANDLERS = ("territorial", "department", "both")

# Administrative suffixes that people drop in speech ("梅溪湖" for "梅溪湖街道").
# Longest first so "社区" is stripped before "区". Grid suffixes are deliberately absent:
# "第3网格" → "第3" would match house numbers such as "第3栋".
NAME_SUFFIXES = tuple(
    sorted(
        (
            "街道办事处",
            "街道办",
            "街道",
            "镇",
            "乡",
            "居民委员会",
            "村民委员会",
            "社区居委会",
            "居委会",
            "村委会",
            "社区",
            "村",
            "区",
            "县",
        ),
        key=len,
        reverse=True,
    )
)
MIN_SHORT_NAME = 2


def ancestor_codes(code: str) -> list[str]:
    """Return the codes of this area and its ancestors, root first (prefixes of length 6, 9, …)."""
    return [code[:n] for n in CODE_LENGTHS if n <= len(code)]


class GridIndex:
    """Point-in-area lookup over every area with a boundary, at any level.

    ``locate`` returns the DEEPEST area whose polygon covers the point (boundary
    included), so a point in a community without drawn level-4 grids resolves to the
    community. Ties — a point on the border shared by two siblings, or on a vertex shared
    by several — are broken by the smallest code, which makes the answer deterministic
    and independent of input order. A point on the outer border of the district counts as
    inside (the polygon covers it). A point in a hole of a polygon is not inside that
    polygon; it falls back to the next covering area, or None.
    """

    def __init__(self, areas: Iterable[tuple[str, BaseGeometry | None]]):
        """Build the index from (area code, polygon) pairs; areas without geometry are skipped."""
        items = [(code, geom) for code, geom in areas if geom is not None and not geom.is_empty]
        # Rank 0 is the best answer: deepest level first, then smallest code.
        items.sort(key=lambda item: (-len(item[0]), item[0]))
        self._codes: list[str] = [code for code, _ in items]
        self._geoms = np.array([geom for _, geom in items], dtype=object)
        # Preparing the tree geometries makes point tests on big district outlines cheap;
        # STRtree.query(..., predicate=...) prepares the (point) input instead, which is ~20x slower.
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)

    def __len__(self) -> int:
        """Return the number of indexed areas."""
        return len(self._codes)

    def locate(self, lon: float, lat: float) -> str | None:
        """Return the code of the deepest area covering (lon, lat), or None outside every area."""
        if not (math.isfinite(lon) and math.isfinite(lat)) or not self._codes:
            return None
        point = shapely.Point(lon, lat)
        candidates = self._tree.query(point)
        if not len(candidates):
            return None
        hits = candidates[shapely.intersects(self._geoms[candidates], point)]
        if not len(hits):
            return None
        return self._codes[int(hits.min())]

    def locate_many(self, points: Iterable[tuple[float, float]]) -> list[str | None]:
        """Vectorised ``locate`` for bulk use (e.g. re-routing historic tickets); same answers."""
        coords = np.asarray(list(points), dtype=float).reshape(-1, 2)
        n = len(coords)
        if n == 0 or not self._codes:
            return [None] * n
        geoms = shapely.points(coords)
        # Bounding-box query, then an exact test against the prepared tree geometries:
        # equivalent to query(points, predicate="intersects") but much faster (see __init__).
        point_idx, tree_idx = self._tree.query(geoms)
        hit = shapely.intersects(self._geoms[tree_idx], geoms[point_idx])
        point_idx, tree_idx = point_idx[hit], tree_idx[hit]
        none = len(self._codes)
        best = np.full(n, none, dtype=np.int64)
        # Tree index equals rank (geometries were sorted), so the minimum is the winner.
        np.minimum.at(best, point_idx, tree_idx)
        return [None if rank == none else self._codes[rank] for rank in best.tolist()]


def normalize_text(text: str) -> str:
    """Fold full-width characters to half-width, drop whitespace and case for matching."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text).casefold()


def short_name(name: str) -> str | None:
    """Return the name without its administrative suffix, or None if too short or no suffix."""
    for suffix in NAME_SUFFIXES:
        if name.endswith(suffix):
            short = name[: -len(suffix)]
            return short if len(short) >= MIN_SHORT_NAME else None
    return None


class Gazetteer:
    """Find the most specific area named in a free-text address.

    Each area is known by its name, its aliases, and both without an administrative
    suffix (only if the shortened form keeps at least 2 characters). An occurrence of a
    term that lies strictly inside an occurrence of a longer matched term is ignored, so
    "梅溪湖街道" does not also count as a match for a community called "梅溪湖社区".
    Among the remaining matches the deepest level wins. When a level has several
    different areas (e.g. two "金茂社区" in different streets), the one that is a
    descendant of other matched areas is preferred — more matched ancestors win, so
    "梅溪湖街道金茂社区第1网格" resolves the shared grid name through both — and if
    that still leaves more than one, the level is skipped as ambiguous.
    """

    def __init__(self, areas: Iterable[tuple[str, str, Iterable[str]]]):
        """Build the term table from (code, name, aliases) triples."""
        self._terms: dict[str, set[str]] = defaultdict(set)
        for code, name, aliases in areas:
            for raw in (name, *aliases):
                if not raw:
                    continue
                term = normalize_text(raw)
                if not term:
                    continue
                self._terms[term].add(code)
                short = short_name(term)
                if short:
                    self._terms[short].add(code)
        # Longest first, so containment checks only need to look at already-seen terms.
        self._ordered = sorted(self._terms, key=len, reverse=True)

    def match(self, address: str) -> tuple[str, str] | None:
        """Return (code, matched text) for the most specific area in the address, or None."""
        if not address:
            return None
        text = normalize_text(address)
        spans: list[tuple[int, int]] = []  # occurrences of longer terms already accepted
        matched: dict[str, str] = {}  # code -> longest unshadowed term
        for term in self._ordered:
            if len(term) > len(text):
                continue
            own = _occurrences(text, term)
            if not own:
                continue
            free = [
                (start, end)
                for start, end in own
                if not any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans)
            ]
            spans.extend(own)
            if not free:
                continue
            for code in self._terms[term]:
                matched.setdefault(code, term)  # terms arrive longest first
        if not matched:
            return None

        by_length: dict[int, list[str]] = defaultdict(list)
        for code in matched:
            by_length[len(code)].append(code)
        for length in sorted(by_length, reverse=True):
            candidates = sorted(by_length[length])
            if len(candidates) > 1:
                # Keep the candidates best anchored by matched ancestors: a shared name like
                # "第1网格" is resolved by the street/community named before it.
                support = {code: sum(1 for other in matched if other != code and code.startswith(other)) for code in candidates}
                best = max(support.values())
                if best > 0:
                    candidates = [code for code in candidates if support[code] == best]
            if len(candidates) == 1:
                code = candidates[0]
                return code, matched[code]
        return None


def _occurrences(text: str, term: str) -> list[tuple[int, int]]:
    """Return every (start, end) span of term in text, overlapping ones included."""
    spans = []
    start = text.find(term)
    while start != -1:
        spans.append((start, start + len(term)))
        start = text.find(term, start + 1)
    return spans


@dataclass(frozen=True)
class Rule:
    """How a ticket category is handled: by the place, by a department, or both."""

    handler: str  # "territorial" | "department" | "both"
    department_id: int | None
    category_name: str

    def __post_init__(self):
        """Reject unknown handler modes early instead of routing silently to nobody."""
        if self.handler not in HANDLERS:
            raise ValueError(f"unknown handler {self.handler!r}; expected one of {HANDLERS}")


@dataclass(frozen=True)
class RouteSuggestion:
    """The suggested lead and supporting units for a ticket, with a human-readable reason."""

    area_code: str | None
    lead_unit_id: int | None
    support_unit_ids: tuple[int, ...]
    reason: str  # Chinese, shown to the dispatcher
    located_by: str  # "point" | "address" | "reporter" | "none"


def area_path(code: str, area_names: Mapping[str, str]) -> str:
    """Return "街道/社区/网格" names for a code; the district is omitted below level 0 as implied."""
    chain = ancestor_codes(code)
    if len(chain) > 1:
        chain = chain[1:]
    return "/".join(area_names.get(c, c) for c in chain)


def territorial_unit_for(code: str | None, territorial_units: Mapping[str, tuple[int, str]]) -> tuple[str, int, str] | None:
    """Return (area code, unit id, unit name) of the deepest ancestor-or-self area with a unit."""
    if not code:
        return None
    for ancestor in reversed(ancestor_codes(code)):
        if ancestor in territorial_units:
            unit_id, unit_name = territorial_units[ancestor]
            return ancestor, unit_id, unit_name
    return None


def route(
    *,
    rule: Rule,
    point: tuple[float, float] | None,
    address: str | None,
    reporter_area_code: str | None,
    grid_index: GridIndex,
    gazetteer: Gazetteer,
    territorial_units: Mapping[str, tuple[int, str]],
    department_names: Mapping[int, str],
    area_names: Mapping[str, str],
) -> RouteSuggestion:
    """Suggest who handles a ticket: locate it (point, then address, then reporter) and apply the rule.

    Handler modes: "territorial" – the territorial unit of the place leads; "department" –
    the rule's department leads; "both" – the department leads and the territorial unit
    supports, because the department owns the power and expertise (e.g. law enforcement)
    while the street/community knows the place and does the on-site work. A missing
    unit leaves the lead empty (None) and the reason says so, for manual dispatch.
    """
    notes: list[str] = []
    area_code: str | None = None
    located_by = "none"

    if point is not None:
        area_code = grid_index.locate(*point)
        if area_code:
            located_by = "point"
            notes.append(f"坐标落在 {area_path(area_code, area_names)}")
        else:
            notes.append("坐标不在辖区网格内")
    if area_code is None and address:
        found = gazetteer.match(address)
        if found:
            area_code, text = found
            located_by = "address"
            notes.append(f"地址中“{text}”匹配到 {area_path(area_code, area_names)}")
        else:
            notes.append("地址未匹配到区域")
    if area_code is None and reporter_area_code in area_names:
        area_code = reporter_area_code
        located_by = "reporter"
        notes.append(f"按上报人所属区域 {area_path(area_code, area_names)}")
    if area_code is None:
        notes.append("无法定位到网格")

    territorial = territorial_unit_for(area_code, territorial_units)
    department_id = rule.department_id
    department_name = department_names.get(department_id, f"部门{department_id}") if department_id is not None else None
    category = f"事项“{rule.category_name}”"

    lead: int | None = None
    support: tuple[int, ...] = ()
    if rule.handler == "territorial":
        if territorial:
            lead = territorial[1]
            notes.append(f"{category}属地管理，由 {territorial[2]} 主办")
        else:
            notes.append(f"{category}属地管理，{_no_territorial(area_code, area_names)}，需人工派单")
    elif rule.handler == "department":
        if department_id is not None:
            lead = department_id
            notes.append(f"{category}由职能部门处置，由 {department_name} 主办")
        else:
            notes.append(f"{category}未配置主办部门，需人工派单")
    else:  # "both": the department leads, the place supports
        if department_id is not None:
            lead = department_id
            head = f"{category}部门主办、属地协办，由 {department_name} 主办"
        else:
            head = f"{category}部门主办、属地协办，但未配置主办部门，需人工派单"
        if territorial and territorial[1] != lead:
            support = (territorial[1],)
            notes.append(f"{head}，{territorial[2]} 协办")
        elif territorial:
            notes.append(head)
        else:
            notes.append(f"{head}；{_no_territorial(area_code, area_names)}，未指定协办单位")

    return RouteSuggestion(
        area_code=area_code,
        lead_unit_id=lead,
        support_unit_ids=support,
        reason="；".join(notes),
        located_by=located_by,
    )


def _no_territorial(area_code: str | None, area_names: Mapping[str, str]) -> str:
    """Explain why no territorial unit was found."""
    if area_code is None:
        return "无法确定属地单位"
    return f"区域 {area_path(area_code, area_names)} 未配置属地单位"
