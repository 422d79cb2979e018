import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built to static files that the server serves under /console/; hashed names under assets/ are
// cached for a year, index.html never.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows no inline script, and Vite's preload polyfill is bundled, not inlined.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1000,
  },
  // npm run dev: API calls go to a server on port 8080, as if they came from its own origin.
  server: { proxy: { '/t': { target: 'http://127.0.0.1:8080', headers: { origin: 'http://127.0.0.1:8080' } } } },
});
