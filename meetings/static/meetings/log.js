// The meeting page's lines: once the last blank line of a kind is typed into, another blank one follows, so a
// meeting of any length is logged without a click. Without this script the page offers a fixed number of lines.
document.addEventListener("input", (event) => {
  const line = event.target.closest(".meeting-line");
  const lines = line && line.parentElement;
  if (!lines || !lines.matches(".meeting-lines") || lines.lastElementChild !== line || !event.target.value) return;
  const fresh = line.cloneNode(true);
  fresh.querySelectorAll("input").forEach((input) => { input.value = input.dataset.default || ""; });
  fresh.querySelectorAll("select").forEach((select) => { select.selectedIndex = 0; });
  fresh.querySelectorAll(".meeting-line-error").forEach((error) => error.remove());
  const number = fresh.querySelector(".meeting-line-number");
  if (number) number.textContent = String(lines.querySelectorAll(".meeting-line").length + 1);
  lines.appendChild(fresh);
});
