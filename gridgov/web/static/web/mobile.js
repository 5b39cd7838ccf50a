/* Grid workers' phone pages: the phone's location into hidden lon/lat, "use my grid", category search, photo previews. */
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const lon = $("id_lon");
  const lat = $("id_lat");
  const status = $("locate-status");
  const gridField = $("id_reporter_area_code");
  const useGrid = $("use-my-grid");

  function setStatus(text, kind) {
    if (!status) return;
    status.textContent = text;
    status.classList.remove("ok", "fail");
    if (kind) status.classList.add(kind);
  }

  function gridName() {
    if (!gridField) return "";
    if (gridField.tagName === "SELECT") {
      const opt = gridField.options[gridField.selectedIndex];
      return opt && opt.value ? opt.textContent.replace(/^按所属网格：/, "") : "";
    }
    return (useGrid && useGrid.dataset.gridName) || "";
  }

  function locate() {
    if (!lon || !lat) return;
    if (!("geolocation" in navigator) || !window.isSecureContext) {
      setStatus(useGrid ? "此浏览器无法定位（需 HTTPS），请点击“使用我的网格”" : "此浏览器无法定位（需 HTTPS），可不填位置", "fail");
      return;
    }
    setStatus("正在获取手机定位…");
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        lon.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        if (gridField) gridField.value = "";
        setStatus(`已获取手机定位（精度约 ${Math.round(pos.coords.accuracy)} 米）`, "ok");
      },
      (err) => {
        const why = err.code === 1 ? "未允许定位" : err.code === 3 ? "定位超时" : "定位失败";
        setStatus(useGrid ? `${why}，请点击“使用我的网格”或重新定位` : `${why}，位置可不填`, "fail");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  if (useGrid) {
    useGrid.addEventListener("click", () => {
      if (lon) lon.value = "";
      if (lat) lat.value = "";
      if (gridField) {
        if (gridField.tagName === "SELECT") {
          if (!gridField.value) {
            const first = Array.from(gridField.options).find((o) => o.value);
            if (first) gridField.value = first.value;
          }
          gridField.focus();
        } else {
          gridField.value = useGrid.dataset.grid || "";
        }
      }
      setStatus(`将按所属网格“${gridName()}”上报`, "ok");
    });
  }
  if (gridField && gridField.tagName === "SELECT") {
    gridField.addEventListener("change", () => {
      if (gridField.value) {
        if (lon) lon.value = "";
        if (lat) lat.value = "";
        setStatus(`将按所属网格“${gridName()}”上报`, "ok");
      } else {
        locate();
      }
    });
  }
  const again = $("locate-again");
  if (again) again.addEventListener("click", locate);

  if (status && status.dataset.autoLocate) {
    if (lon && lon.value && lat && lat.value) setStatus("已获取手机定位", "ok");
    else if (gridField && gridField.value) setStatus(`将按所属网格“${gridName()}”上报`, "ok");
    else locate();
  }

  /* Category search: rebuild the select from a snapshot, since phones ignore hidden <option>s. */
  const search = $("category-search");
  const select = $("id_category");
  if (search && select) {
    const groups = Array.from(select.querySelectorAll("optgroup")).map((g) => ({
      label: g.label,
      options: Array.from(g.querySelectorAll("option")).map((o) => ({ value: o.value, text: o.textContent, keywords: o.dataset.keywords || "" })),
    }));
    const placeholder = select.querySelector('option[value=""]');
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      const current = select.value;
      select.innerHTML = "";
      if (placeholder) select.appendChild(placeholder);
      let first = null;
      let keep = false;
      groups.forEach((g) => {
        const hits = g.options.filter((o) => !q || o.text.toLowerCase().includes(q) || g.label.toLowerCase().includes(q) || o.keywords.toLowerCase().includes(q));
        if (!hits.length) return;
        const og = document.createElement("optgroup");
        og.label = g.label;
        hits.forEach((o) => {
          const opt = new Option(o.text, o.value);
          opt.dataset.keywords = o.keywords;
          og.appendChild(opt);
          if (!first) first = o.value;
          if (o.value === current) keep = true;
        });
        select.appendChild(og);
      });
      select.value = keep ? current : q && first ? first : "";
      if (placeholder) placeholder.textContent = q && !first ? "没有匹配的分类" : "请选择事项分类";
    });
  }

  /* Photo previews from local blob: URLs; the server checks type and size again. */
  const photos = $("id_photos");
  const previews = $("photo-previews");
  if (photos && previews) {
    photos.addEventListener("change", () => {
      previews.innerHTML = "";
      Array.from(photos.files).slice(0, 9).forEach((file) => {
        if (!file.type.startsWith("image/")) return;
        const img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        img.onload = () => URL.revokeObjectURL(img.src);
        previews.appendChild(img);
      });
      if (photos.files.length > 9) setStatusText(previews, "最多上传 9 张照片");
    });
  }
  function setStatusText(parent, text) {
    const p = document.createElement("div");
    p.className = "text-danger small w-100";
    p.textContent = text;
    parent.appendChild(p);
  }

  /* One tap, one submission: a second tap on a slow network would report the event twice. */
  document.querySelectorAll("#report-form, #visit-form").forEach((form) => {
    form.addEventListener("submit", () => {
      const button = form.querySelector('button[type="submit"]');
      if (!button) return;
      setTimeout(() => { button.disabled = true; button.textContent = "正在提交…"; }, 0);
    });
  });
})();
