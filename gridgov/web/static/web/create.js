/*
 * create.js — the creation form's client side: picking a category and a place from the htmx result
 * lists, and placing the point on the map (mapbase.js). The server does all searching and checking;
 * this file only copies choices into the form's fields and fires "change" so the route preview and the
 * duplicate warning (htmx, triggered by those changes) refresh.
 */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const form = $("create-form");
  if (!form) return;
  const category = $("id_category");
  const lon = $("id_lon");
  const lat = $("id_lat");
  const address = $("id_address");
  const urgency = $("id_urgency");
  const pointText = $("point-text");
  const mapEl = $("create-map");

  function changed(input) {
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // ---- category picker
  const defaultUrgency = urgency ? urgency.querySelector("option[value='']") : null;
  const defaultUrgencyLabel = defaultUrgency ? defaultUrgency.textContent : "";

  function chooseCategory(option) {
    category.value = option.dataset.code;
    const chosen = $("category-chosen");
    chosen.classList.remove("text-secondary");
    chosen.replaceChildren("已选：", Object.assign(document.createElement("strong"), { textContent: option.dataset.path }),
      `（${option.dataset.code}） · ${option.dataset.summary}`);
    // The empty choice means "the rule's urgency"; say which one it is for this category.
    if (defaultUrgency) defaultUrgency.textContent = `${defaultUrgencyLabel}（${option.dataset.urgencyLabel}）`;
    $("category-results").replaceChildren();
    changed(category);
  }

  $("category-results").addEventListener("click", (e) => {
    const option = e.target.closest(".category-option");
    if (option) chooseCategory(option);
  });

  // Enter in a search box must not submit the whole form; in the category box it picks the first result.
  $("category-search").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    const first = $("category-results").querySelector(".category-option");
    if (first) chooseCategory(first);
  });
  address.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); });

  // Typing can begin before htmx has wired up the boxes (it does so after all scripts ran), and those
  // keystrokes would be lost: once it is ready, search whatever was typed meanwhile.
  htmx.onLoad((elt) => {
    if (elt !== document.body) return;
    [$("category-search"), address].forEach((box) => {
      if (box.value.trim() && box.value !== box.defaultValue) htmx.trigger(box, "search");
    });
  });

  // ---- the map and the point
  const gmap = GG.map("create-map", {
    geojsonUrl: mapEl.dataset.geojsonUrl,
    onClick: (latlng) => setPoint(latlng.lng, latlng.lat),
  });

  function showPoint() {
    const x = parseFloat(lon.value);
    const y = parseFloat(lat.value);
    if (Number.isFinite(x) && Number.isFinite(y)) {
      gmap.setMarker(y, x, { draggable: true, onMove: (ll) => setPoint(ll.lng, ll.lat) });
      pointText.textContent = `经度 ${x.toFixed(6)}，纬度 ${y.toFixed(6)}`;
      pointText.classList.remove("text-secondary");
    } else {
      gmap.clearMarker();
      pointText.textContent = "未标注";
      pointText.classList.add("text-secondary");
    }
  }

  function setPoint(x, y) {
    // Six decimals is about 10 cm: more precision than a click has, fewer digits for the operator to read.
    lon.value = x === null ? "" : x.toFixed(6);
    lat.value = y === null ? "" : y.toFixed(6);
    showPoint();
    changed(lon);
    changed(lat);
  }

  // The fields may also be set from outside (tests, a phone's location); keep the marker in step.
  lon.addEventListener("change", showPoint);
  lat.addEventListener("change", showPoint);
  $("point-clear").addEventListener("click", () => setPoint(null, null));
  gmap.ready.then(showPoint).catch(showPoint);

  // ---- gazetteer suggestions
  $("place-search").addEventListener("click", (e) => {
    const option = e.target.closest(".place-option");
    if (!option) return;
    // Keep what the operator typed ("金茂社区3栋") when it already names the place; otherwise write the place's full name.
    if (!address.value.includes(option.dataset.name)) address.value = option.dataset.address;
    $("place-search").replaceChildren();
    changed(address);
    if (option.dataset.hasBoundary === "1") gmap.focus(option.dataset.code, option.dataset.level);
  });
})();
