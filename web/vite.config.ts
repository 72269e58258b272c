/**
 * The web app's build: `vite build web` writes `web/dist`, which the server serves.
 * `vite web` serves it for development, passing `/api` to a running `uptake serve`.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
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
