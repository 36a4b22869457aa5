// A person's face in a circle: their photo (`person.photo`, a same-origin URL)
// when they have one, else their initials on their colour. Decorative: the
// name is always said elsewhere, so the image has an empty alt.

import { h, setText, avatarColour } from "./dom.js";
import { initials } from "./state.js";

/** Fill `el` (a circle) with the person's photo or initials; cheap when nothing changed. */
export function paintFace(el, person, id = person?.id) {
  const photo = typeof person?.photo === "string" && person.photo ? person.photo : "";
  const name = person?.name || "";
  el.style.setProperty("--c", avatarColour(id));
  el.style.backgroundColor = avatarColour(id);
  const key = photo ? `img:${photo}` : `txt:${name}`;
  if (el.dataset.face === key) return;
  el.dataset.face = key;
  if (photo) {
    el.replaceChildren(h("img", { src: photo, alt: "", loading: "lazy", decoding: "async", draggable: "false" }));
  } else {
    el.replaceChildren();
    setText(el, initials(name));
  }
}
