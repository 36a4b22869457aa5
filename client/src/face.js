// A person's face: their photo when they have one, else their initials on a
// stable colour. Decorative (aria-hidden, alt=""): the name is always beside it.
// Other views render faces with `face(person)` and refresh them in place with
// `updateFace(el, person)` (keyed lists keep their elements).

import { h, setText, avatarColour } from "./dom.js";
import { initials } from "./state.js";

/** A new face element for `person` ({id, name, photo}); `className` adds classes. */
export function face(person, className = "") {
  const el = h("span", { class: `face ${className}`.trim(), "aria-hidden": "true" });
  updateFace(el, person);
  return el;
}

/** Show `person`'s photo or initials in `el`, touching the DOM only on a change. */
export function updateFace(el, person) {
  const photo = person?.photo || "";
  const text = initials(person?.name);
  if (el.dataset.photo === photo && el.dataset.initials === text) return;
  el.dataset.photo = photo;
  el.dataset.initials = text;
  el.style.backgroundColor = avatarColour(person?.id ?? person?.name ?? "");
  if (photo) {
    // Same-origin URL from the server; a broken one falls back to the initials.
    const img = h("img", { src: photo, alt: "", loading: "lazy", decoding: "async", draggable: "false" });
    img.addEventListener("error", () => { if (el.dataset.photo === photo) setText(el, text); }, { once: true });
    el.replaceChildren(img);
    el.classList.add("has-photo");
  } else {
    el.classList.remove("has-photo");
    setText(el, text);
  }
}
