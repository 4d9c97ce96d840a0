// The browser's polygon decoder (webmap/static/polygon-decoder.js) under Node, without a
// browser: it reads what the Python encoder wrote (fixtures made and checked by
// tests/test_polygon_codec.py) and refuses damaged input with an Error, never a hang.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { decodePolygons, unpackColumn } = require("../../webmap/static/polygon-decoder.js");

const FIXTURES = path.join(__dirname, "fixtures");
const bytes = new Uint8Array(fs.readFileSync(path.join(FIXTURES, "two-features.bin")));
const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, "two-features.json"), "utf8"));

function ringsOf(decoded, feature) {
  const rings = [];
  for (let r = decoded.featureRing[feature]; r < decoded.featureRing[feature + 1]; r++) {
    const ring = [];
    for (let p = decoded.ringStart[r]; p < decoded.ringStart[r + 1]; p++) {
      ring.push([Math.round(decoded.coords[2 * p] * 1e6) / 1e6, Math.round(decoded.coords[2 * p + 1] * 1e6) / 1e6]);
    }
    rings.push(ring);
  }
  return rings;
}

test("reads what the Python encoder wrote, as the Python decoder does", () => {
  const decoded = decodePolygons(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  assert.equal(decoded.count, expected.count);
  assert.deepEqual(decoded.properties, expected.properties);
  for (let i = 0; i < expected.count; i++) assert.deepEqual(ringsOf(decoded, i), expected.rings[i]);
});

test("unpacks code columns stored as steps after a prefix", () => {
  assert.deepEqual(unpackColumn({ prefix: "59", width: 3, deltas: [1, 1, 40] }), ["59001", "59002", "59042"]);
  assert.deepEqual(unpackColumn(["a", "b"]), ["a", "b"]);
});

function damaged(name, change) {
  const copy = Uint8Array.from(bytes);
  return { name, data: change(copy) };
}

function varintAt(data, pos) {
  let value = 0, factor = 1, byte;
  do {
    byte = data[pos++];
    value += (byte & 0x7f) * factor;
    factor *= 128;
  } while (byte >= 0x80);
  return [value, pos];
}
const [headerLength, headerStart] = varintAt(bytes, 4);
const geometryStart = headerStart + headerLength; // feature 0: its ring count, then ring 0's point count
const DAMAGED = [
  damaged("empty", () => new Uint8Array(0)),
  damaged("wrong magic", (b) => { b[0] = 0x58; return b; }),
  damaged("cut in the header", (b) => b.slice(0, 10)),
  damaged("cut in the geometry", (b) => b.slice(0, b.length - 3)),
  damaged("one byte too many", (b) => Uint8Array.from([...b, 0])),
  damaged("header is not JSON", (b) => { b[headerStart] = 0x7b; b[headerStart + 1] = 0x7b; return b; }),
  damaged("header length beyond the end", (b) => b.slice(0, headerStart + 20)),
  damaged("a ring claims a million points", (b) => Uint8Array.from(
    [...b.slice(0, geometryStart + 1), 0xc0, 0x84, 0x3d, ...b.slice(geometryStart + 2)])),
  damaged("an endless varint", (b) => Uint8Array.from([...b.slice(0, geometryStart), ...new Array(64).fill(0xff)])),
];

for (const { name, data } of DAMAGED) {
  test(`refuses damaged input: ${name}`, () => {
    assert.throws(() => decodePolygons(data.buffer), (error) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /géométrie/);
      return true;
    });
  });
}

test("refuses a header whose entity count does not fit the file", () => {
  const header = JSON.stringify({ step: 0.0005, origin: [0, 0], count: 1e9, properties: {} });
  const body = new TextEncoder().encode(header);
  const data = Uint8Array.from([0x57, 0x4d, 0x50, 0x31, body.length, ...body, 0]);
  assert.throws(() => decodePolygons(data.buffer), /géométrie/);
});
