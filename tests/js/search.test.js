// The search's normalization and matching (webmap/static/search.js) under Node: the same
// normalized text as the gazetteer's Python for the shared vectors (tests/vectors/normalize.json).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { normalize, search } = require("../../webmap/static/search.js");

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "vectors", "normalize.json"), "utf8"));

test("normalizes every shared vector as the gazetteer does", () => {
  assert.ok(vectors.length >= 30);
  for (const { text, normalized } of vectors) assert.equal(normalize(text), normalized, text);
});

test("ranks the same name first, then names that start with its words, then with it, then word matches", () => {
  const entries = [
    ["Saint-Quentinois", "epci", "epci:1", ["saint quentinois"]],
    ["Quentin (59)", "commune", "commune:2", ["quentin saint"]],
    ["Saint-Quentin (02)", "commune", "commune:3", ["02100", "saint quentin"]],
  ];
  assert.deepEqual(search(entries, "ST QUENTIN").map((e) => e[2]), ["commune:3", "epci:1", "commune:2"]);
  assert.deepEqual(search(entries, "02100").map((e) => e[2]), ["commune:3"]);
  assert.deepEqual(search(entries, "  "), []);
  assert.deepEqual(search(entries, "lille"), []);
  const bus = [["Busigny (59)", "commune", "commune:59118", ["busigny"]],
               ["Bus Accs'Aisne", "projet", "hdf-2021-11", ["bus accs aisne"]],
               ["Bus (62)", "commune", "commune:62192", ["bus"]]];
  assert.deepEqual(search(bus, "bus").map((e) => e[2]), ["commune:62192", "hdf-2021-11", "commune:59118"]);
});
