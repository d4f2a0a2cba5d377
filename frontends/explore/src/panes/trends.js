// The trends pane: releases per year of one entity, or of two side by side, as a Plotly line chart.
// Plotly is big, so it is loaded the first time a chart is drawn, not with the page.

import Alpine from "alpinejs";
import { getJson, isAbort } from "../api.js";
import { typeLabel } from "../format.js";

let plotly = null;
const loadPlotly = async () => {
  plotly ??= (await import("plotly.js-basic-dist-min")).default;
  return plotly;
};

const COLORS = ["#ea580c", "#2563eb"];

const yearStep = (traces) => {
  const years = traces.flatMap((trace) => trace.x);
  return years.length === 0 ? 1 : Math.max(1, Math.ceil((Math.max(...years) - Math.min(...years)) / 12));
};

const countStep = (traces) => Math.max(1, Math.ceil(Math.max(1, ...traces.flatMap((trace) => trace.y)) / 8));

export function trendsPane() {
  const controllers = [null, null];
  return {
    slots: [
      { type: "artist", query: "", series: null, loading: false, error: "" },
      { type: "artist", query: "", series: null, loading: false, error: "" },
    ],
    chartError: "",
    drawing: false,

    init() {
      window.addEventListener("theme-changed", () => this.draw());
      // A chart drawn while its pane was hidden has no size: fit it when the pane shows.
      window.addEventListener("pane-shown", (event) => {
        if (event.detail.pane === "trends" && plotly && this.hasSeries) {
          requestAnimationFrame(() => plotly.Plots.resize(this.$refs.chart));
        }
      });
      window.addEventListener("trends-entity", (event) => this.load(0, event.detail));
    },

    get hasSeries() {
      return this.slots.some((slot) => slot.series);
    },

    get isEmptyChart() {
      return this.hasSeries && this.slots.every((slot) => !slot.series || slot.series.data.length === 0);
    },

    /** Loads /api/trends for one of the two slots (0: the entity, 1: the one compared with it). */
    async load(index, { name, type }) {
      const slot = this.slots[index];
      slot.type = type;
      slot.query = name;
      controllers[index]?.abort();
      controllers[index] = new AbortController();
      slot.loading = true;
      slot.error = "";
      try {
        const answer = await getJson("trends", { name, type }, { signal: controllers[index].signal });
        slot.series = { name: answer.name ?? name, type: answer.type ?? type, data: answer.data ?? [] };
        slot.loading = false;
        await this.draw();
      } catch (error) {
        if (isAbort(error)) return;
        slot.loading = false;
        slot.error = error.notFound ? `No ${typeLabel(type).toLowerCase()} named “${name}”.` : error.message;
      }
    },

    clear(index) {
      controllers[index]?.abort();
      Object.assign(this.slots[index], { query: "", series: null, loading: false, error: "" });
      this.draw();
    },

    summary(slot) {
      if (!slot.series) return "";
      const data = slot.series.data;
      if (data.length === 0) return "no dated releases";
      const total = data.reduce((sum, point) => sum + point.count, 0);
      const peak = data.reduce((best, point) => (point.count > best.count ? point : best), data[0]);
      return `${total} releases, ${data[0].year}–${data.at(-1).year}, peak ${peak.year} (${peak.count})`;
    },

    async draw() {
      const element = this.$refs.chart;
      const series = this.slots.map((slot) => slot.series).filter(Boolean);
      if (!element) return;
      if (series.length === 0) {
        if (plotly) plotly.purge(element);
        return;
      }
      this.drawing = true;
      await this.$nextTick();
      try {
        const Plotly = await loadPlotly();
        const dark = Alpine.store("theme").isDark;
        const ink = dark ? "#e5e7eb" : "#1f2937";
        const grid = dark ? "#374151" : "#e5e7eb";
        const traces = this.slots
          .map((slot, index) => ({ slot, index }))
          .filter(({ slot }) => slot.series)
          .map(({ slot, index }) => ({
            type: "scatter",
            mode: "lines+markers",
            name: `${slot.series.name} (${typeLabel(slot.series.type)})`,
            x: slot.series.data.map((point) => point.year),
            y: slot.series.data.map((point) => point.count),
            line: { color: COLORS[index], width: 2.5, shape: "linear" },
            marker: { size: 6 },
            hovertemplate: "%{x}: %{y} releases<extra>%{fullData.name}</extra>",
          }));
        const layout = {
          margin: { l: 48, r: 16, t: 16, b: 48 },
          paper_bgcolor: "rgba(0,0,0,0)",
          plot_bgcolor: "rgba(0,0,0,0)",
          font: { color: ink, family: "system-ui, sans-serif" },
          // Whole years and whole counts only: no tick at 1998.5 or at 0.5 releases.
          xaxis: { title: { text: "Year" }, gridcolor: grid, zeroline: false, tickformat: "d", dtick: yearStep(traces) },
          yaxis: {
            title: { text: "Releases" },
            gridcolor: grid,
            rangemode: "tozero",
            zeroline: false,
            tickformat: "d",
            dtick: countStep(traces),
          },
          legend: { orientation: "h", y: -0.22 },
          hovermode: "x unified",
        };
        await Plotly.react(element, traces, layout, { responsive: true, displaylogo: false });
        this.chartError = "";
      } catch (error) {
        this.chartError = `The chart could not be drawn: ${error.message}`;
      } finally {
        this.drawing = false;
      }
    },
  };
}
