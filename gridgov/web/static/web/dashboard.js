/* 数据看板 / 大屏: draws the figures rendered into #dash-data with the vendored ECharts, and the area heat with Leaflet.
 *
 * Every point, slice, bar and polygon carries the URL of the tickets behind it, so a click opens that list.
 * The polygons come from the grid map's own endpoint (data.heat.areas_url, ?parent=<area>); the colours from
 * the page's figures. Nothing is fetched from another host. A dark theme is used when <body data-theme="dark">.
 */
(function () {
  "use strict";
  const source = document.getElementById("dash-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  const dark = document.body.dataset.theme === "dark";
  const charts = [];
  const AXIS = dark ? "#93c5fd" : "#495057";
  const HEAT = ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"];
  const ZERO = dark ? "#13294f" : "#f1f5f9";

  function draw(id, option) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    const chart = window.echarts.init(el, dark ? "dark" : null, { locale: "ZH", renderer: "canvas" });
    chart.setOption(Object.assign({ backgroundColor: "transparent", textStyle: { fontFamily: "inherit" } }, option));
    // Points, slices and bars carry the URL of their tickets.
    chart.on("click", (p) => { if (p.data && p.data.url) window.location.href = p.data.url; });
    el.dataset.ready = "1";
    charts.push(chart);
    return chart;
  }

  function trend(t) {
    if (!t) return;
    const pts = t.points;
    draw("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["受理量", "办结量"], textStyle: { color: AXIS } },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: pts.map((p) => p.label), axisLabel: { color: AXIS } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: AXIS } },
      series: [
        { name: "受理量", type: "line", smooth: true, smoothMonotone: "x", areaStyle: { opacity: 0.15 }, data: pts.map((p) => ({ value: p.received, url: p.received_url })) },
        { name: "办结量", type: "line", smooth: true, smoothMonotone: "x", data: pts.map((p) => ({ value: p.closed, url: p.closed_url })) },
      ],
    });
  }

  function channels(rows) {
    if (!rows) return;
    draw("chart-channel", {
      tooltip: { trigger: "item", formatter: "{b}：{c} 件（{d}%）" },
      legend: { type: "scroll", bottom: 0, textStyle: { color: AXIS } },
      series: [{
        type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], avoidLabelOverlap: true, minShowLabelAngle: 8,
        label: { formatter: "{b} {d}%", color: AXIS },
        data: rows.map((r) => ({ name: r.name, value: r.value, url: r.url })),
      }],
    });
  }

  function pareto(rows) {
    if (!rows) return;
    draw("chart-pareto", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["受理量", "累计占比"], textStyle: { color: AXIS } },
      grid: { left: 48, right: 48, top: 36, bottom: 48 },
      xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { color: AXIS, interval: 0, rotate: rows.length > 6 ? 30 : 0 } },
      yAxis: [
        { type: "value", minInterval: 1, axisLabel: { color: AXIS } },
        { type: "value", min: 0, max: 100, axisLabel: { color: AXIS, formatter: "{value}%" }, splitLine: { show: false } },
      ],
      series: [
        { name: "受理量", type: "bar", data: rows.map((r) => ({ value: r.value, url: r.url })) },
        { name: "累计占比", type: "line", yAxisIndex: 1, data: rows.map((r) => ({ value: r.cumulative, url: r.url })),
          tooltip: { valueFormatter: (v) => (v === null ? "—" : v + "%") } },
      ],
    });
  }

  function satisfaction(rows) {
    if (!rows) return;
    draw("chart-satisfaction", {
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : v + "%") },
      grid: { left: 56, right: 16, top: 24, bottom: 28 },
      xAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { color: AXIS } },
      yAxis: { type: "value", scale: true, max: 100, axisLabel: { color: AXIS, formatter: "{value}%" } },
      series: [{ name: "满意率", type: "line", connectNulls: false, data: rows.map((r) => ({ value: r.value, url: r.url })) }],
    });
  }

  function colourOf(value, max) {
    if (!value || !max) return ZERO;
    return HEAT[Math.min(HEAT.length - 1, Math.floor(((value - 1) * HEAT.length) / max))];
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function legend(map, max) {
    const control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      const div = L.DomUtil.create("div", "gg-legend");
      div.id = "heat-legend";
      const rows = ["<div class=\"fw-bold\">受理量（件）</div>", `<div><i style="background:${ZERO}"></i>0</div>`];
      const step = Math.max(1, Math.ceil(max / HEAT.length));
      for (let low = 1; low <= max; low += step) {
        const high = Math.min(max, low + step - 1);
        rows.push(`<div><i style="background:${colourOf(low, max)}"></i>${low === high ? low : low + "–" + high}</div>`);
      }
      div.innerHTML = rows.join("");
      return div;
    };
    control.addTo(map);
  }

  /* The scope's child areas coloured by 受理量; a leaf grid is drawn alone with its own total. */
  function heat(h) {
    const el = document.getElementById("heat-map");
    if (!el || !h || !window.L) return;
    const byCode = {};
    h.areas.forEach((a) => { byCode[a.code] = a; });
    const map = L.map(el, { zoomSnap: 0.25, maxZoom: 19, attributionControl: false, zoomControl: !dark });  // nobody zooms a wall screen
    const url = h.areas_url + (h.parent ? "?parent=" + encodeURIComponent(h.parent) : "");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error("地图数据加载失败（" + r.status + "）"))))
      .then((payload) => {
        let features = payload.features.filter((f) => f.geometry);
        let info = (f) => byCode[f.properties.code] || { name: f.properties.name, received: 0, overdue: 0, url: null };
        if (!features.length && payload.parent && payload.parent.geometry) {
          features = [{ type: "Feature", geometry: payload.parent.geometry, properties: { code: payload.parent.code, name: payload.parent.name } }];
          info = () => ({ name: payload.parent.name, received: h.total, overdue: null, url: h.total_url });
        }
        const max = Math.max(0, ...features.map((f) => info(f).received));
        const layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
          style: (f) => ({ color: dark ? "#60a5fa" : "#475569", weight: 1, fillColor: colourOf(info(f).received, max), fillOpacity: 0.85 }),
          onEachFeature: (f, lyr) => {
            const a = info(f);
            const overdue = a.overdue === null || a.overdue === undefined ? "" : `<br>超期未办结 ${a.overdue} 件`;
            lyr.bindTooltip(`<b>${escapeHtml(a.name || f.properties.name)}</b><br>受理 ${a.received} 件${overdue}`, { sticky: true });
            lyr.on("click", () => { if (a.url) window.location.href = a.url; });
          },
        }).addTo(map);
        if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { padding: [8, 8] });
        legend(map, max);
        el.dataset.features = String(features.length);
        el.dataset.ready = "1";
      })
      .catch((err) => {
        el.innerHTML = `<div class="p-2 text-danger">${escapeHtml(err.message)}</div>`;
      });
  }

  trend(data.trend);
  channels(data.channels);
  pareto(data.pareto);
  satisfaction(data.satisfaction);
  heat(data.heat);
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
