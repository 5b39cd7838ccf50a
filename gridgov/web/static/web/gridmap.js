/* Grid map (网格地图): area polygons in Leaflet without online tiles, coloured by open or overdue tickets.
 *
 * Reads its configuration from #grid-map: data-areas-url (GeoJSON of one level), data-panel-url
 * (side-panel fragment, "{code}" replaced), data-tile-url (optional tile server of the deployment).
 * Each click loads only one parent's children, so the thousands of level-4 grids never load at once.
 */
(function () {
  "use strict";
  const el = document.getElementById("grid-map");
  if (!el || !window.L) return;

  const AREAS_URL = el.dataset.areasUrl;
  const PANEL_URL = el.dataset.panelUrl;
  const TILE_URL = el.dataset.tileUrl || "";
  const PALETTES = {
    open: ["#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"],
    overdue: ["#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"],
  };
  const LABELS = { open: "未结工单数（件）", overdue: "超期工单数（件）" };
  const ZERO = "#f1f5f9";
  const PERMANENT_LABELS_UP_TO = 40;

  const crumbsEl = document.getElementById("map-crumbs");
  const measureEl = document.getElementById("map-measure");
  const totalEl = document.getElementById("map-total");
  const panelEl = document.getElementById("area-panel");

  // Without tiles Leaflet has no maximum zoom of its own; 19 is street scale.
  const map = L.map(el, { zoomSnap: 0.25, maxZoom: 19, attributionControl: Boolean(TILE_URL) });
  if (TILE_URL) {
    L.tileLayer(TILE_URL, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }

  let data = null;
  let areaLayer = null;
  let parentLayer = null;
  let selectedCode = null;
  let measure = measureEl ? measureEl.value : "open";

  /* Equal-interval classes over 1..max (0 has its own colour), at most five. */
  function classes(values) {
    const max = Math.max(0, ...values);
    if (max === 0) return { step: 1, count: 0, max: 0 };
    const count = Math.min(5, max);
    return { step: Math.ceil(max / count), count: count, max: max };
  }

  function colourOf(value, cls) {
    if (!value || cls.count === 0) return ZERO;
    const palette = PALETTES[measure];
    const i = Math.min(cls.count - 1, Math.floor((value - 1) / cls.step));
    const at = cls.count === 1 ? 2 : Math.round((i * (palette.length - 1)) / (cls.count - 1));
    return palette[at];
  }

  const legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    const div = L.DomUtil.create("div", "gg-legend");
    div.id = "map-legend";
    return div;
  };
  legend.addTo(map);

  function drawLegend(cls) {
    const div = document.getElementById("map-legend");
    if (!div) return;
    const rows = [`<div class="fw-bold mb-1">${LABELS[measure]}</div>`, `<div><i style="background:${ZERO}"></i>0</div>`];
    for (let i = 0; i < cls.count; i++) {
      const low = i * cls.step + 1;
      const high = Math.min(cls.max, (i + 1) * cls.step);
      if (low > cls.max) break;
      const label = low === high ? `${low}` : `${low}–${high}`;
      rows.push(`<div><i style="background:${colourOf(low, cls)}"></i>${label}</div>`);
    }
    rows.push('<div class="mt-1"><i style="background:#fff;border:2px dashed #b45309"></i>重点网格</div>');
    div.innerHTML = rows.join("");
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function styleOf(feature, cls) {
    const p = feature.properties;
    const selected = p.code === selectedCode;
    return {
      color: selected ? "#111827" : p.key_grid ? "#b45309" : "#475569",
      weight: selected ? 3 : p.key_grid ? 2 : 1,
      dashArray: p.key_grid && !selected ? "4 3" : null,
      fillColor: colourOf(p[measure], cls),
      fillOpacity: TILE_URL ? 0.6 : 0.85,
    };
  }

  function restyle() {
    if (!data || !areaLayer) return;
    const cls = classes(data.features.map((f) => f.properties[measure]));
    areaLayer.eachLayer((layer) => layer.setStyle(styleOf(layer.feature, cls)));
    drawLegend(cls);
  }

  function openPanel(code) {
    const url = PANEL_URL.replace("{code}", encodeURIComponent(code));
    if (window.htmx) {
      window.htmx.ajax("GET", url, { target: "#area-panel", swap: "innerHTML" });
    } else {
      fetch(url, { credentials: "same-origin" }).then((r) => r.text()).then((html) => { panelEl.innerHTML = html; });
    }
  }

  function drawCrumbs() {
    if (!crumbsEl) return;
    crumbsEl.innerHTML = "";
    (data.crumbs || []).forEach((c, i, all) => {
      const li = document.createElement("li");
      li.className = "breadcrumb-item" + (i === all.length - 1 ? " active" : "");
      if (i === all.length - 1) {
        li.textContent = c.name;
      } else {
        const a = document.createElement("a");
        a.href = "#";
        a.textContent = c.name;
        a.dataset.code = c.code;
        a.addEventListener("click", (e) => {
          e.preventDefault();
          load(c.code);
          if (c.code) openPanel(c.code);
        });
        li.appendChild(a);
      }
      crumbsEl.appendChild(li);
    });
  }

  function onArea(feature, layer) {
    const p = feature.properties;
    const text = `<div>${escapeHtml(p.name)}</div><div class="fw-normal">未结 ${p.open} · 超期 ${p.overdue}</div>`;
    const permanent = data.features.length <= PERMANENT_LABELS_UP_TO;
    layer.bindTooltip(text, { permanent: permanent, direction: "center", className: permanent ? "gg-area-label" : "" });
    layer.on("click", () => {
      selectedCode = p.code;
      openPanel(p.code);
      if (p.has_children) {
        load(p.code);
      } else {
        restyle();
      }
    });
  }

  function render(payload) {
    data = payload;
    if (areaLayer) map.removeLayer(areaLayer);
    if (parentLayer) map.removeLayer(parentLayer);
    parentLayer = null;
    if (data.parent && data.parent.geometry) {
      parentLayer = L.geoJSON(data.parent.geometry, {
        interactive: false, style: { color: "#1e293b", weight: 2, dashArray: "6 4", fill: false },
      }).addTo(map);
    }
    const cls = classes(data.features.map((f) => f.properties[measure]));
    areaLayer = L.geoJSON({ type: "FeatureCollection", features: data.features.filter((f) => f.geometry) }, {
      style: (f) => styleOf(f, cls),
      onEachFeature: onArea,
    }).addTo(map);
    const bounds = (parentLayer || areaLayer).getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
    else if (!map._loaded) map.setView([0, 0], 2);
    drawLegend(cls);
    drawCrumbs();
    if (totalEl) {
      const open = data.parent ? data.parent.open : data.features.reduce((s, f) => s + f.properties.open, 0);
      const overdue = data.parent ? data.parent.overdue : data.features.reduce((s, f) => s + f.properties.overdue, 0);
      const where = data.parent ? data.parent.name : "全部范围";
      totalEl.textContent = `${where}：未结 ${open} 件，超期 ${overdue} 件`;
    }
    el.dataset.parent = data.parent ? data.parent.code : "";
    el.dataset.features = String(data.features.length);
  }

  function load(code) {
    const url = AREAS_URL + (code ? "?parent=" + encodeURIComponent(code) : "");
    el.classList.add("opacity-75");
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => {
        if (!r.ok) throw new Error(r.status === 404 ? "区域不存在或无权查看" : "地图数据加载失败（" + r.status + "）");
        return r.json();
      })
      .then((payload) => {
        render(payload);
        const params = new URLSearchParams(window.location.search);
        if (code) params.set("area", code); else params.delete("area");
        const query = params.toString();
        window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
      })
      .catch((err) => {
        panelEl.innerHTML = `<div class="alert alert-danger py-1 mb-0">${escapeHtml(err.message)}</div>`;
      })
      .finally(() => el.classList.remove("opacity-75"));
  }

  if (measureEl) {
    measureEl.addEventListener("change", () => {
      measure = measureEl.value;
      restyle();
    });
  }

  const start = new URLSearchParams(window.location.search).get("area");
  load(start && /^\d+$/.test(start) ? start : "");
})();
