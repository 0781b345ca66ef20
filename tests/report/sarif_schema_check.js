// Validates SARIF files against the SARIF 2.1.0 JSON schema with Ajv (a JSON
// Schema validator that implements draft 2020-12 and the `format` keyword,
// which our own validator refuses on purpose).
// Usage: NODE_PATH=<npm-tools>/node_modules node sarif_schema_check.js SCHEMA FILE...
// Prints one line per error; exits 1 when any file is invalid.
'use strict';
const fs = require('fs');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const [schemaPath, ...files] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of files) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (validate(doc)) {
    console.log(`valid: ${file}`);
  } else {
    bad++;
    for (const e of validate.errors) console.log(`invalid: ${file}: ${e.instancePath} ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);
