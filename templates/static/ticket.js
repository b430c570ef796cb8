// Staff ticket page: choosing a canned response puts its text (already
// expanded for this ticket by the server) into the reply box, where the
// officer can edit it before sending. Without JS the select is sent with
// the form and the server expands it when the box is left empty.
(function () {
  'use strict';
  var sel = document.getElementById('canned-select');
  var box = document.getElementById('reply-body');
  if (!sel || !box) { return; }
  sel.addEventListener('change', function () {
    var opt = sel.options[sel.selectedIndex];
    var text = opt ? opt.getAttribute('data-text') : '';
    if (!text) { return; }
    if (box.value.trim() !== '' && box.value !== text) {
      box.value = box.value.replace(/\s+$/, '') + '\n\n' + text;
    } else {
      box.value = text;
    }
    // The text now travels in the body; do not expand it a second time.
    sel.value = '';
    box.focus();
  });
}());
