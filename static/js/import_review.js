// Review step: show only the fields that matter for each speaker's choice.
// Without this script every field is shown, and the server ignores the ones not used.

for (const fieldset of document.querySelectorAll("fieldset[data-speaker]")) {
  const target = fieldset.querySelector("select[name$='_target']");
  if (!target || target.disabled) continue;
  const details = fieldset.querySelector(".participant-details");
  const pseudonym = fieldset.querySelector("input[name$='_pseudonym']").closest("p");
  const update = () => {
    details.hidden = target.value === "interviewer";
    pseudonym.hidden = target.value !== "new";
  };
  target.addEventListener("change", update);
  update();
}
