// ESLint for the browser scripts the app serves (webmap/static) and their Node tests.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  // The design system's files, copied as published by `webmap vendor-dsfr`: not ours to lint.
  { ignores: ["webmap/static/vendor/**"] },
  js.configs.recommended,
  {
    files: ["webmap/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2019,
      sourceType: "script",
      globals: { ...globals.browser, L: "readonly", WebMap: "writable" },
    },
  },
  {
    files: ["tests/js/**/*.js", "eslint.config.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "commonjs", globals: { ...globals.node } },
  },
];
