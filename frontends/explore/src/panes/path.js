// The path pane: the shortest chain of relationships between two entities (/api/path), drawn as a
// graph in order, with each edge's type; a click on a node explores it (or opens its details).

import Alpine from "alpinejs";
import { getJson, isAbort } from "../api.js";
import { ForceGraph } from "../graph.js";
import { isExplorable, typeLabel } from "../format.js";

export const DEPTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

export function pathPane() {
  let graph = null;
  let controller = null;

  return {
    from: { type: "artist", query: "" },
    to: { type: "artist", query: "" },
    maxDepth: 6,
    loading: false,
    error: "",
    result: null,
    asked: null,

    init() {
      graph = new ForceGraph(this.$refs.graph, {
        label: "Path graph",
        onActivate: (node) => this.activate(node.ref),
      });
    },

    destroy() {
      graph?.destroy();
    },

    get canSearch() {
      return this.from.query.trim().length > 0 && this.to.query.trim().length > 0 && !this.loading;
    },

    async find() {
      if (!this.canSearch) return;
      controller?.abort();
      controller = new AbortController();
      this.loading = true;
      this.error = "";
      const asked = {
        from: this.from.query.trim(),
        fromType: this.from.type,
        to: this.to.query.trim(),
        toType: this.to.type,
        depth: Number(this.maxDepth),
      };
      try {
        const answer = await getJson(
          "path",
          {
            from_name: asked.from,
            from_type: asked.fromType,
            to_name: asked.to,
            to_type: asked.toType,
            max_depth: asked.depth,
          },
          { signal: controller.signal },
        );
        this.asked = asked;
        this.result = {
          found: Boolean(answer.found),
          length: answer.length,
          path: (answer.path ?? []).map((step) => ({ ...step, id: String(step.id) })),
        };
        this.drawPath();
      } catch (error) {
        if (isAbort(error)) return;
        this.result = null;
        graph.clear();
        this.error = error.message;
      } finally {
        this.loading = false;
      }
    },

    swap() {
      [this.from, this.to] = [{ ...this.to }, { ...this.from }];
    },

    drawPath() {
      if (!this.result?.found) {
        graph.clear();
        return;
      }
      const steps = this.result.path;
      const nodes = steps.map((step, index) => ({
        id: `step-${index}`,
        kind: index === 0 || index === steps.length - 1 ? "center" : "entity",
        type: step.type,
        ref: step,
        label: step.name,
        title: `${step.name} (${typeLabel(step.type)})${isExplorable(step.type) ? ": explore" : ": details"}`,
      }));
      const links = steps.slice(1).map((step, index) => ({
        source: `step-${index}`,
        target: `step-${index + 1}`,
        label: step.rel ?? "",
      }));
      graph.setData(nodes, links, { layout: "path", fit: true });
    },

    activate(step) {
      if (isExplorable(step.type)) Alpine.store("ui").explore(step.name, step.type);
      else Alpine.store("inspector").show({ id: step.id, type: step.type, name: step.name });
    },

    typeLabel,
    isExplorable,
  };
}
