// Prints graphql-js's verdict on every document of the contract corpus, one line each:
// <file>\t<valid|invalid>\t<first error message>.
// Usage: node verdicts.mjs SCHEMA.graphql CORPUS_DIR JS_DIR (JS_DIR holds node_modules/graphql).
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const [schemaPath, corpusDir, jsDir] = process.argv.slice(2);
if (!schemaPath || !corpusDir || !jsDir) {
  console.error('usage: node verdicts.mjs SCHEMA CORPUS_DIR JS_DIR');
  process.exit(2);
}
const require = createRequire(join(resolve(jsDir), 'package.json'));
const { buildSchema, parse, validate } = require('graphql');

const schema = buildSchema(readFileSync(schemaPath, 'utf8'));
const names = readdirSync(corpusDir).filter((n) => n.endsWith('.graphql')).sort();
for (const name of names) {
  const text = readFileSync(join(corpusDir, name), 'utf8');
  let errors;
  try {
    errors = validate(schema, parse(text));
  } catch (e) {
    errors = [e];
  }
  const first = errors.length ? errors[0].message.replace(/\s+/g, ' ') : '';
  console.log(`${name}\t${errors.length ? 'invalid' : 'valid'}\t${first}`);
}
