// Validates every request the client can send (printed by print_client_documents) against the
// WisdomAI schema with graphql-js: the document must validate and its variables must coerce.
// Usage: node validate_client_documents.mjs <print_client_documents> <schema.graphql> <tests/js dir>
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [program, schemaFile, jsDir] = process.argv.slice(2);
if (!program || !schemaFile || !jsDir) {
  console.error('usage: validate_client_documents.mjs <program> <schema.graphql> <tests/js dir>');
  process.exit(2);
}
if (!existsSync(path.join(jsDir, 'node_modules', 'graphql'))) {
  console.error(`graphql-js is not installed in ${jsDir}/node_modules (run ./dev setup)`);
  process.exit(77);  // CTest SKIP_RETURN_CODE
}
const require = createRequire(path.join(path.resolve(jsDir), 'package.json'));
const { buildSchema, parse, validate, getOperationAST } = require('graphql');
const { getVariableValues } = require('graphql/execution/values');

const schema = buildSchema(readFileSync(schemaFile, 'utf8'));
const requests = JSON.parse(execFileSync(program, { encoding: 'utf8' }));
let failures = 0;
for (const request of requests) {
  const label = `${request.operationName}: ${request.query}`;
  let document;
  try {
    document = parse(request.query);
  } catch (e) {
    console.error(`FAIL (syntax) ${label}\n  ${e.message}`);
    failures++;
    continue;
  }
  const errors = validate(schema, document);
  const operation = getOperationAST(document, request.operationName);
  if (!operation) errors.push(new Error(`no operation named ${request.operationName}`));
  if (operation) {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables);
    for (const e of coerced.errors ?? []) errors.push(e);
  }
  if (errors.length > 0) {
    console.error(`FAIL ${label}\n  variables: ${JSON.stringify(request.variables)}`);
    for (const e of errors) console.error(`  ${e.message}`);
    failures++;
  } else {
    console.log(`ok   ${request.operationName} ${JSON.stringify(request.variables)}`);
  }
}
console.log(`${requests.length} requests, ${failures} failed`);
if (requests.length === 0) process.exit(1);
process.exit(failures === 0 ? 0 : 1);
