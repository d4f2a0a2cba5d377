// Builds the explorer into the web application's package, where `discogsography web` serves it:
// index.html at the root of explore_dist/, hashed assets under explore_dist/assets/.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { comboboxPlugin } from "./partials/combobox.js";

const outDir = fileURLToPath(new URL("../../applications/web/explore_dist", import.meta.url));

export default defineConfig({
  base: "/",
  plugins: [comboboxPlugin()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: "assets",
    // Plotly is loaded on demand by the trends pane and is larger than Vite's default warning size.
    chunkSizeWarningLimit: 1400,
    reportCompressedSize: true,
  },
  server: {
    // `npm run dev` proxies the API to a running `discogsography demo` (DISCOGSOGRAPHY_API, default :8004).
    proxy: { "/api": process.env.DISCOGSOGRAPHY_API ?? "http://127.0.0.1:8004" },
  },
});
