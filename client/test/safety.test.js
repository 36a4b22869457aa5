// The client never parses strings as HTML and never talks to another origin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";

const src = new URL("../src/", import.meta.url);
const files = readdirSync(src).filter((n) => n.endsWith(".js") || n.endsWith(".css"));

test("no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval", () => {
  for (const f of files) {
    const text = readFileSync(new URL(f, src), "utf8");
    for (const bad of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"]) {
      assert.ok(!text.includes(bad), `${f} uses ${bad}`);
    }
  }
});

test("no absolute URLs to other origins in code, styles or the page", () => {
  const page = readFileSync(new URL("../index.html", import.meta.url), "utf8");
  for (const [name, text] of [...files.map((f) => [f, readFileSync(new URL(f, src), "utf8")]), ["index.html", page]]) {
    const urls = text.match(/\b(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"')]*/gi) || [];
    assert.deepEqual(urls.filter((u) => !u.includes("example.")), [], name);
  }
});

test("index.html has no inline script or style", () => {
  const page = readFileSync(new URL("../index.html", import.meta.url), "utf8");
  assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(page), "inline <script>");
  assert.ok(!/<style/i.test(page) && !/\sstyle=/i.test(page), "inline style");
  assert.ok(!/\son[a-z]+=/i.test(page), "inline event handler");
});
