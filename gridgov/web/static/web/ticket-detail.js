// Keeps the server-computed deadline countdowns ticking. The server's clock is the reference
// (data-now), so a wrong clock on the user's computer does not change what the page says.
(function () {
  "use strict";
  const badges = Array.from(document.querySelectorAll("[data-deadline]"));
  const loadedAt = Date.now();

  // The same wording as gridgov/web/views/detail.py:_remaining.
  function remaining(seconds) {
    if (seconds >= 0) {
      let minutes = Math.floor(seconds / 60);
      const days = Math.floor(minutes / 1440);
      minutes -= days * 1440;
      const hours = Math.floor(minutes / 60);
      minutes -= hours * 60;
      if (days) return "剩余 " + days + " 天 " + hours + " 小时";
      return hours ? "剩余 " + hours + " 小时 " + minutes + " 分" : "剩余 " + minutes + " 分钟";
    }
    const late = -seconds;
    return late >= 3600 ? "已超期 " + Math.floor(late / 3600) + " 小时" : "已超期 " + Math.floor(late / 60) + " 分钟";
  }

  function tick() {
    const elapsed = Date.now() - loadedAt;
    for (const badge of badges) {
      const now = Number(badge.dataset.now) + elapsed;
      const seconds = (Number(badge.dataset.deadline) - now) / 1000;
      badge.textContent = remaining(seconds);
      if (seconds < 0 && !badge.classList.contains("gg-overdue")) {
        badge.classList.remove("gg-ok", "gg-due_soon");
        badge.classList.add("gg-overdue");
      }
    }
  }

  if (badges.length) setInterval(tick, 30000);
})();
