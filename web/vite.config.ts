/**
 * The web app's build: `vite build web` writes `web/dist`, which the server serves.
 * `vite web` serves it for development, passing `/api` to a running `uptake serve`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Beside every built text file of 1 KB or more, its Brotli (`.br`) and gzip (`.gz`) forms, made
 * once at build time at the best compression; the server sends them to browsers that accept them
 * (@fastify/static `preCompressed`), so no request pays for compressing the 600 KB chart bundle.
 */
function precompress(): Plugin {
  return {
    name: 'uptake-precompress',
    apply: 'build',
    writeBundle(options, bundle) {
      if (!options.dir) return;
      for (const [name, file] of Object.entries(bundle)) {
        if (!/\.(js|css|html|svg|json|txt)$/.test(name)) continue;
        const body = Buffer.from(file.type === 'chunk' ? file.code : file.source);
        if (body.length < 1024) continue;
        const path = join(options.dir, name);
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(body, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          }),
        );
        writeFileSync(`${path}.gz`, gzipSync(body, { level: constants.Z_BEST_COMPRESSION }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts and React are chunks of their own: the app code changes more often than they do.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        manualChunks: (id) =>
          /node_modules[\\/](echarts|zrender)[\\/]/.test(id)
            ? 'charts'
            : /node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id)
              ? 'react'
              : undefined,
      },
    },
  },
  server: {
    proxy: { '/api': process.env.UPTAKE_API ?? 'http://127.0.0.1:8080' },
  },
});
