// The card form, shared by the join page and "edit my card".

import { h, newId } from "./dom.js";
import { t } from "./i18n.js";
import { photoPicker } from "./photopick.js";

const FIELDS = [
  { name: "name", type: "text", max: 80, required: true, autocomplete: "name" },
  { name: "organization", type: "text", max: 120, autocomplete: "organization" },
  { name: "title", type: "text", max: 120, autocomplete: "organization-title" },
  { name: "email", type: "email", max: 254, autocomplete: "email" },
  { name: "phone", type: "tel", max: 40, autocomplete: "tel" },
  { name: "website", type: "url", max: 200, autocomplete: "url", placeholder: "https://" },
  { name: "bio", type: "textarea", max: 500 },
  { name: "languages", type: "list", max: 200 },
  { name: "interests", type: "list", max: 400 },
];

const splitList = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);

/**
 * Build the fields; returns {element, read(), showError(error), clearErrors(), photo}.
 * With `photo` in `options` (the current photo URL, or null) the form starts with
 * a photo picker (photopick.js), `photo`, which the caller saves after the card.
 */
export function profileForm(values = {}, options = {}) {
  const inputs = {};
  const errors = {};
  const rows = FIELDS.map((f) => {
    const id = newId(`f-${f.name}`);
    const errId = `${id}-err`;
    const hintId = f.type === "list" ? `${id}-hint` : null;
    const value = Array.isArray(values[f.name]) ? values[f.name].join(", ") : values[f.name] ?? "";
    const common = {
      id, name: f.name, maxlength: f.max, required: f.required || null,
      autocomplete: f.autocomplete || "off",
      "aria-describedby": [hintId, errId].filter(Boolean).join(" "),
      placeholder: f.placeholder || null,
    };
    const input = f.type === "textarea"
      ? h("textarea", { ...common, rows: 3, value })
      : h("input", { ...common, type: f.type === "list" ? "text" : f.type, value });
    inputs[f.name] = input;
    errors[f.name] = h("p", { id: errId, class: "field-error" });
    return h("div", { class: `field field-${f.name}` },
      h("label", { for: id }, t(`profile.${f.name}`), f.required ? h("span", { class: "req" }, ` (${t("profile.required")})`) : null),
      input,
      hintId ? h("p", { id: hintId, class: "hint" }, t("profile.listHint")) : null,
      errors[f.name]);
  });
  const photo = "photo" in options
    ? photoPicker({ current: options.photo, who: () => ({ id: options.id, name: inputs.name.value }) })
    : null;
  if (photo) inputs.name.addEventListener("input", () => photo.refresh());
  return {
    element: h("div", { class: "profile-fields" }, photo?.element, rows),
    photo,
    inputs,
    read() {
      const out = {};
      for (const f of FIELDS) {
        const v = inputs[f.name].value.trim();
        out[f.name] = f.type === "list" ? splitList(v) : v;
      }
      return out;
    },
    clearErrors() {
      for (const f of FIELDS) {
        errors[f.name].textContent = "";
        inputs[f.name].removeAttribute("aria-invalid");
      }
    },
    /** Show an API error next to its field; returns false when no field matched. */
    showError(error) {
      const field = error?.field;
      if (!field || !inputs[field]) return false;
      errors[field].textContent = error.message || t("error.bad_request");
      inputs[field].setAttribute("aria-invalid", "true");
      inputs[field].focus();
      return true;
    },
  };
}
