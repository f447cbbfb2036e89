// Validates an AsyncAPI document with the AsyncAPI parser (its schema and its spectral rules):
//   node validate.mjs <url or file>
// Prints every diagnostic; exits 1 when any is an error, or a warning (the document is ours: keep it clean).
import { Parser } from '@asyncapi/parser';
import { readFile } from 'node:fs/promises';

const where = process.argv[2];
if (!where) {
  console.error('usage: node validate.mjs <url or file>');
  process.exit(2);
}
const text = /^https?:/.test(where) ? await (await fetch(where)).text() : await readFile(where, 'utf8');
const { document, diagnostics } = await new Parser().parse(text);
for (const d of diagnostics) {
  console.log(`${['error', 'warning', 'info', 'hint'][d.severity]} ${d.code} at ${d.path.join('.')}: ${d.message}`);
}
const bad = diagnostics.filter((d) => d.severity <= 1);
if (!document || bad.length > 0) {
  console.log(`INVALID: ${bad.length} errors or warnings`);
  process.exit(1);
}
console.log(`VALID: AsyncAPI ${document.version()}, ${document.messages().length} messages, ${document.operations().length} operations`);
