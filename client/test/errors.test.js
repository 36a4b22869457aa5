// Every error code and field reason the server can send reads as a sentence in
// fi, sv and en, never as a key or the server's English message (issue 12).
import { test } from "node:test";
import assert from "node:assert/strict";
import { STRINGS, setLang } from "../src/i18n.js";
import { FIELD_REASONS } from "../src/protocol.js";
import { KNOWN_CODES, errorText, fieldErrorText } from "../src/errors.js";

globalThis.localStorage = { getItem: () => null, setItem: () => {} };

const LANGS = ["fi", "sv", "en"];

test("every code has a sentence of its own in every language", () => {
  for (const lang of LANGS) {
    setLang(lang);
    for (const code of KNOWN_CODES) {
      const text = errorText({ code, message: "english from the server" });
      assert.equal(text, STRINGS[lang][`error.${code}`], `${lang} ${code}`);
      assert.ok(text && !text.startsWith("error."), `${lang} ${code}`);
      if (lang !== "en") assert.notEqual(text, STRINGS.en[`error.${code}`], `${lang} ${code} is English`);
    }
    assert.equal(errorText({ code: "no_such_code" }), STRINGS[lang]["error.internal"]);
  }
});

test("every field reason has a sentence in every language, bounds filled in", () => {
  for (const lang of LANGS) {
    setLang(lang);
    for (const reason of Object.values(FIELD_REASONS)) {
      const text = fieldErrorText({ code: "bad_request", field: "bio", reason, min: 1, max: 500, message: "english" });
      assert.ok(text && !text.startsWith("field.") && !/\{\w+\}/.test(text), `${lang} ${reason}: ${text}`);
      assert.ok(!text.includes("english"), `${lang} ${reason}`);
      if (lang !== "en") {
        setLang("en");
        const en = fieldErrorText({ code: "bad_request", field: "bio", reason, min: 1, max: 500 });
        setLang(lang);
        assert.notEqual(text, en, `${lang} ${reason} is English`);
      }
    }
  }
  setLang("fi");
  assert.equal(fieldErrorText({ code: "bad_request", field: "name", reason: "too_long", max: 80 }), "Liian pitkä: enintään 80 merkkiä.");
  assert.equal(fieldErrorText({ code: "bad_request", field: "email", reason: "invalid_email" }), STRINGS.fi["field.invalid_email"]);
  assert.equal(fieldErrorText({ code: "bad_request", field: "name", reason: "required" }), STRINGS.fi["join.nameMissing"]);
  // an unknown reason reads as its code
  assert.equal(fieldErrorText({ code: "forbidden", field: "x", reason: "new_reason" }), STRINGS.fi["error.forbidden"]);
  setLang("en");
});
