// Staff session form: show "Number of weeks" only for a weekly series and "Dates" only
// for a list of dates. Without JavaScript every field simply stays visible.
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="repeat"]');
  if (!radios.length) { return; }
  function fieldOf(id) {
    var input = document.getElementById(id);
    return input ? input.closest(".field") : null;
  }
  var weeks = fieldOf("weeks");
  var dates = fieldOf("dates");
  var date = fieldOf("date");
  function update() {
    var checked = document.querySelector('input[name="repeat"]:checked');
    var value = checked ? checked.value : "once";
    if (weeks) { weeks.hidden = value !== "weekly" && !weeks.classList.contains("has-error"); }
    if (dates) { dates.hidden = value !== "dates" && !dates.classList.contains("has-error"); }
    if (date) { date.hidden = value === "dates" && !date.classList.contains("has-error"); }
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
})();
