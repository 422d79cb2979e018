// npm run gen:api -w @latchkey/console: rewrites src/api/schema.d.ts from the server's route schemas.
import fs from 'node:fs';
import { API_TYPES_FILE, apiTypes } from './api-types.js';

fs.writeFileSync(API_TYPES_FILE, await apiTypes());
console.log(`wrote ${API_TYPES_FILE.pathname}`);
