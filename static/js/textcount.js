// Live length counter for textareas with data-counter (core.forms.CountedTextarea). The value
// of a textarea uses LF line breaks, so its length counts a line break as one character -
// the same count as maxlength and as the server (core.parsing.text_length).
(function () {
  function attach(area) {
    if (area.dataset.counterReady) return;
    area.dataset.counterReady = "1";
    var out = document.createElement("small");
    out.className = "muted text-counter";
    out.setAttribute("data-testid", "counter-" + area.name);
    area.insertAdjacentElement("afterend", out);
    var max = parseInt(area.getAttribute("maxlength") || "0", 10);
    function update() {
      var n = area.value.replace(/\r\n?/g, "\n").length;
      out.textContent = area.dataset.counter.replace("{n}", n).replace("{max}", max || "-");
      out.classList.toggle("error", max > 0 && n >= max);
    }
    area.addEventListener("input", update);
    update();
  }
  function scan() { document.querySelectorAll("textarea[data-counter]").forEach(attach); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan); else scan();
  document.addEventListener("htmx:afterSwap", scan);
})();
