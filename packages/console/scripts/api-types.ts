// Turns the server's OpenAPI document into the console's TypeScript API types (openapi-typescript).
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from './openapi-document.js';

export const API_TYPES_FILE = new URL('../src/api/schema.d.ts', import.meta.url);

export async function apiTypes(): Promise<string> {
  const ast = await openapiTS((await openApiDocument()) as never);
  return (
    "// Generated from the server's /openapi.json by `npm run gen:api -w @latchkey/console`; do not edit.\n\n" +
    astToString(ast)
  );
}
