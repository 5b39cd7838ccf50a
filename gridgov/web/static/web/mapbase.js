/*
 * mapbase.js — the district's area polygons in Leaflet, with no online tiles.
 *
 * Centres run on closed networks, so the base map is the area tree itself (streets, communities,
 * grids) drawn from a GeoJSON endpoint of this server. A tile layer is added only when a tile URL is
 * configured (settings.GRIDGOV_TILE_URL, passed as data-tile-url on the map element or as tileUrl).
 *
 *   const m = GG.map("element-id", {
 *     geojsonUrl,            // required: endpoint taking ?level=1,2&within=<area code>, returning a FeatureCollection
 *                            //   whose features carry properties {code, name, level}
 *     levels: [1, 2],        // levels drawn at start
 *     detailLevels: [3, 4],  // levels fetched street by street (within=<street code>) once zoomed in; [] for none
 *     detailZoom: 2,         // zoom steps beyond the first fit at which the detail appears
 *     tileUrl,               // tile URL template; default element.dataset.tileUrl; "" means no tiles
 *     tileAttribution,       // optional attribution text for the tiles
 *     style(feature),        // optional: Leaflet path options per feature (default: by level)
 *     onFeature(feature, layer),  // optional: called for every drawn area (bind popups, recolour, …)
 *     onClick(latlng, event),     // optional: any click on the map, polygons included
 *   });
 *
 *   m.map                    the L.Map
 *   m.ready                  Promise resolved once the first levels are drawn and fitted
 *   m.focus(code, level)     fetch that area's polygon, outline it and fit the view to it
 *   m.setMarker(lat, lon, {draggable, onMove(latlng)})  place (or move) the single marker
 *   m.clearMarker()
 *   m.reload()               redraw everything (e.g. after the data behind a style changed)
 */
(function () {
  "use strict";

  const LEVEL_STYLES = {
    0: { color: "#1f2d3d", weight: 3, fillOpacity: 0 },
    1: { color: "#0d6efd", weight: 2.5, fillColor: "#cfe2ff", fillOpacity: 0.25 },
    2: { color: "#6c757d", weight: 1.2, fillColor: "#e9ecef", fillOpacity: 0.15 },
    3: { color: "#198754", weight: 1, dashArray: "4 3", fillColor: "#d1e7dd", fillOpacity: 0.15 },
    4: { color: "#20c997", weight: 0.8, dashArray: "2 3", fillColor: "#d2f4ea", fillOpacity: 0.1 },
  };
  const FOCUS_STYLE = { color: "#fd7e14", weight: 3, fillColor: "#ffe5d0", fillOpacity: 0.3 };

  function defaultStyle(feature) {
    return LEVEL_STYLES[(feature.properties || {}).level] || LEVEL_STYLES[2];
  }

  function fetchAreas(baseUrl, params) {
    const url = new URL(baseUrl, window.location.href);
    Object.entries(params).forEach(([k, v]) => { if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v); });
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } }).then((r) => {
      if (!r.ok) throw new Error("区域数据加载失败：" + r.status);
      return r.json();
    });
  }

  function map(elementId, options) {
    const el = document.getElementById(elementId);
    const opts = Object.assign({ levels: [1, 2], detailLevels: [3, 4], detailZoom: 2 }, options || {});
    const style = opts.style || defaultStyle;
    const tileUrl = opts.tileUrl !== undefined ? opts.tileUrl : (el.dataset.tileUrl || "");
    // Without tiles Leaflet has no maximum zoom of its own; grids need about 19 at street scale.
    const lmap = L.map(el, { maxZoom: 19, zoomSnap: 0.5 }).setView([0, 0], 2);
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19, attribution: opts.tileAttribution || "" }).addTo(lmap);

    const makeLayer = () => L.geoJSON(null, {
      style,
      onEachFeature(feature, layer) {
        const p = feature.properties || {};
        if (p.name) layer.bindTooltip(p.name, { sticky: true, direction: "top" });
        if (opts.onFeature) opts.onFeature(feature, layer);
      },
    });
    const base = makeLayer().addTo(lmap);
    const detail = makeLayer();
    const loadedStreets = new Set();
    let baseZoom = null;
    let focusLayer = null;
    let marker = null;

    function loadDetail() {
      if (!opts.detailLevels.length || baseZoom === null) return;
      const zoomedIn = lmap.getZoom() >= baseZoom + opts.detailZoom;
      if (!zoomedIn) { lmap.removeLayer(detail); return; }
      detail.addTo(lmap);
      const view = lmap.getBounds();
      base.eachLayer((layer) => {
        const p = layer.feature.properties || {};
        // Grids are fetched per street in view, so a district with thousands of grids stays light.
        if (p.level !== 1 || loadedStreets.has(p.code) || !view.intersects(layer.getBounds())) return;
        loadedStreets.add(p.code);
        fetchAreas(opts.geojsonUrl, { level: opts.detailLevels.join(","), within: p.code })
          .then((data) => detail.addData(data))
          .catch(() => loadedStreets.delete(p.code));
      });
    }

    function draw() {
      base.clearLayers();
      detail.clearLayers();
      loadedStreets.clear();
      return fetchAreas(opts.geojsonUrl, { level: opts.levels.join(",") }).then((data) => {
        base.addData(data);
        const bounds = base.getBounds();
        if (bounds.isValid()) lmap.fitBounds(bounds, { padding: [8, 8] });
        baseZoom = lmap.getZoom();
        loadDetail();
        return handle;
      });
    }

    lmap.on("zoomend moveend", loadDetail);
    if (opts.onClick) lmap.on("click", (e) => opts.onClick(e.latlng, e));

    const handle = {
      map: lmap,
      ready: null,
      reload: () => (handle.ready = draw()),
      focus(code, level) {
        return fetchAreas(opts.geojsonUrl, { level, within: code }).then((data) => {
          if (focusLayer) lmap.removeLayer(focusLayer);
          focusLayer = L.geoJSON(data, { style: () => FOCUS_STYLE, interactive: false }).addTo(lmap);
          const bounds = focusLayer.getBounds();
          if (bounds.isValid()) lmap.fitBounds(bounds, { padding: [16, 16] });
          return bounds.isValid();
        });
      },
      setMarker(lat, lon, markerOptions) {
        const mo = markerOptions || {};
        if (!marker) {
          marker = L.marker([lat, lon], { draggable: !!mo.draggable, keyboard: false }).addTo(lmap);
          if (mo.onMove) marker.on("dragend", () => mo.onMove(marker.getLatLng()));
        } else {
          marker.setLatLng([lat, lon]);
        }
        return marker;
      },
      clearMarker() {
        if (marker) lmap.removeLayer(marker);
        marker = null;
      },
    };
    handle.ready = draw();
    return handle;
  }

  window.GG = Object.assign(window.GG || {}, { map, fetchAreas, LEVEL_STYLES });
})();
