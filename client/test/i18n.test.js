// Every string is translated, and every key the code uses exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { STRINGS, t, initialLang, formatCountdown } from "../src/i18n.js";
import { ERROR_CODES, STATUSES, CLIENT_TIMEOUT } from "../src/protocol.js";

const src = new URL("../src/", import.meta.url);

test("fi, sv and en have the same keys and the same placeholders", () => {
  const keys = Object.keys(STRINGS.en).sort();
  for (const lang of ["fi", "sv"]) {
    assert.deepEqual(Object.keys(STRINGS[lang]).sort(), keys, `${lang} keys`);
    for (const k of keys) {
      const ph = (v) => JSON.stringify(v).match(/\{\w+\}/g)?.filter((x, i, a) => a.indexOf(x) === i).sort() ?? [];
      assert.deepEqual(ph(STRINGS[lang][k]), ph(STRINGS.en[k]), `${lang} ${k}`);
    }
  }
});

test("every literal key passed to t() exists", () => {
  const used = new Set();
  for (const f of readdirSync(src).filter((n) => n.endsWith(".js"))) {
    const text = readFileSync(new URL(f, src), "utf8");
    for (const m of text.matchAll(/\bt\("([a-zA-Z_.]+)"/g)) used.add(m[1]);
  }
  assert.ok(used.size > 100);
  for (const k of used) assert.ok(k in STRINGS.en, `missing ${k}`);
});

test("every error code, status and profile field has a text", () => {
  for (const code of [...Object.values(ERROR_CODES), CLIENT_TIMEOUT, "network"]) assert.ok(`error.${code}` in STRINGS.en, code);
  for (const s of STATUSES) assert.ok(`status.${s}` in STRINGS.en, s);
  for (const f of ["name", "organization", "title", "email", "phone", "website", "bio", "languages", "interests"]) assert.ok(`profile.${f}` in STRINGS.en, f);
  for (const k of ["report.room", "report.visits", "report.unique", "report.dwell"]) assert.ok(k in STRINGS.en, k);
});

test("plurals and placeholders", () => {
  assert.equal(t("space.count", { count: 1 }, "en"), "1 person here");
  assert.equal(t("space.count", { count: 3 }, "fi"), "3 henkilöä täällä");
  assert.equal(t("floor.seated", { count: 3, capacity: 12 }, "sv"), "3 / 12 sitter");
});

test("initial language: stored choice, then the browser's, then English", () => {
  const store = (v) => ({ getItem: () => v });
  assert.equal(initialLang(["sv-FI"], store("fi")), "fi");
  assert.equal(initialLang(["de-DE", "sv-FI"], store(null)), "sv");
  assert.equal(initialLang(["de"], store(null)), "en");
});

test("countdown format", () => {
  assert.equal(formatCountdown(754), "12:34");
  assert.equal(formatCountdown(3754), "1:02:34");
  assert.equal(formatCountdown(-3), "00:00");
});

test("someone's text inside a sentence is isolated when it could reorder it", async () => {
  const { isolate, balanced } = await import("../src/i18n.js");
  assert.equal(t("people.wavedAtYou", { name: "Aino" }, "en"), "Aino waved at you");
  assert.equal(t("people.wavedAtYou", { name: "\u202eevil.exe" }, "en"), "\u2068\u202eevil.exe\u2069 waved at you");
  assert.equal(isolate("שלום"), "\u2068שלום\u2069");
  // A stray PDI cannot close the page's isolate early; open isolates are closed.
  assert.equal(isolate("\u2069\u202eevil"), "\u2068\u202eevil\u2069");
  assert.equal(balanced("a\u2067b"), "a\u2067b\u2069");
  assert.equal(t("floor.seated", { count: 3, capacity: 12 }, "en"), "3 / 12 seated");
});
