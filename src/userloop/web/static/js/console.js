// console pages: live parts only; every page works without JavaScript.
"use strict";

// Forms that change a lot at once (merge, split) ask before they are sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  // The button that sent the form may ask its own question (split or move, one form).
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
