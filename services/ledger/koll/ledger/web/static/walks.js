/* The walk form: choosing another area shows that area's places at once (without a script the
   "Visa områdets platser" button does it), so a walk is never planned among another area's places. */
(function () {
  "use strict";
  var select = document.getElementById("walk-area");
  if (select && select.form) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
})();
