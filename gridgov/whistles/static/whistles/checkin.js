// Fill a form's lon/lat from the browser's location (works offline; browsers allow it only over HTTPS or on localhost).
(function () {
  if (window.ggWhistleLocate) return;
  window.ggWhistleLocate = true;
  document.addEventListener("click", function (ev) {
    const button = ev.target.closest("[data-locate]");
    if (!button) return;
    const box = button.closest(".gg-checkin") || button.form;
    const form = button.form || box;
    const status = box.querySelector(".gg-locate-status");
    const say = (text) => { if (status) status.textContent = text; };
    if (!("geolocation" in navigator) || !window.isSecureContext) {
      say("此浏览器无法定位（需 HTTPS），请手工填写经纬度");
      return;
    }
    say("正在获取定位…");
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        form.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(6);
        form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
        say(`已获取定位（精度约 ${Math.round(pos.coords.accuracy)} 米）`);
      },
      (err) => say(err.code === 1 ? "未允许定位" : err.code === 3 ? "定位超时" : "定位失败"),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
})();
