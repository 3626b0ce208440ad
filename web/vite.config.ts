// The web app: Vue 3 + Vant 4, built into web/dist as static files (served by the local stack, and by
// CloudFront from S3 on AWS). Vant is imported per component, with its styles, so each page carries
// only what it uses; pages are lazy chunks, so the share page does not load the operator's console.
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  resolve: { alias: { '@schemas': fileURLToPath(new URL('../schemas', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // The HTML shell is read by the share-page function: keep it small and let the browser fetch the rest.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
