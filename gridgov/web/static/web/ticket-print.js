// The print view's button; kept out of the page so no inline script is needed.
document.getElementById("print-button")?.addEventListener("click", () => window.print());
