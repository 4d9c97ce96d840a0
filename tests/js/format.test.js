// French numbers and HTML escaping of the map scripts (webmap/static/format.js) under Node:
// the same text as the Python formatter for the shared vectors (tests/vectors/numbers.json).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { escape, formatNumber } = require("../../webmap/static/format.js");

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "vectors", "numbers.json"), "utf8"));

test("formats every shared vector as the Python formatter does", () => {
  assert.ok(vectors.length >= 20);
  for (const { value, decimals, text } of vectors) {
    assert.equal(formatNumber(value, decimals), text, `${value} with ${decimals} decimal(s)`);
  }
});

test("escapes the five HTML-significant characters", () => {
  assert.equal(escape(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  assert.equal(escape(12), "12");
});
