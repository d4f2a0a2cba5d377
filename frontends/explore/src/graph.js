// The force-directed graph of the explore and path panes, drawn in SVG with D3.
//
// Kept responsive with a few hundred nodes by: drawing at most once per animation frame whatever
// the tick rate, a simulation that cools faster as the graph grows (so it stops after ~100-150
// ticks), a charge force with a distance cap and a coarser Barnes-Hut approximation for big graphs,
// and child labels that only show when there are few of them, when zoomed in, or on hover/focus.
// Node positions survive a data change, so expanding a category does not reshuffle the rest.

import {
  drag,
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  select,
  zoom,
  zoomIdentity,
} from "d3";

const RADIUS = { center: 24, category: 17, more: 12, entity: 7 };
const LINK_DISTANCE = { category: 125, entity: 62, more: 70 };
/** Above this many child nodes, their labels wait for a zoom, a hover or keyboard focus. */
const LABEL_ALL_LIMIT = 40;
/** Longer labels are cut with an ellipsis on the graph; the full name is in the tooltip. */
const LABEL_MAX = 26;
const BIG_GRAPH = 220;
const ZOOMED_IN = 1.6;

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

export class ForceGraph {
  #element;
  #svg;
  #viewport;
  #linkSelection;
  #linkLabelSelection;
  #nodeSelection;
  #simulation;
  #zoom;
  #resizeObserver;
  #onActivate;
  #nodes = [];
  #links = [];
  #layout = "force";
  #frame = 0;
  #width = 0;
  #height = 0;
  #userMoved = false;
  #fitWhenSettled = false;
  #vertical = false;

  /**
   * @param {HTMLElement} element the box the graph fills
   * @param {{onActivate: (node: object) => void, label: string}} options
   */
  constructor(element, { onActivate, label }) {
    this.#element = element;
    this.#onActivate = onActivate;
    this.#svg = select(element)
      .append("svg")
      .attr("class", "graph-svg")
      .attr("role", "group")
      .attr("aria-label", label);
    this.#viewport = this.#svg.append("g").attr("class", "graph-viewport");
    this.#linkSelection = this.#viewport.append("g").attr("class", "graph-links").selectAll("line");
    this.#linkLabelSelection = this.#viewport.append("g").attr("class", "graph-link-labels").selectAll("text");
    this.#nodeSelection = this.#viewport.append("g").attr("class", "graph-nodes").selectAll("g");

    this.#zoom = zoom()
      .scaleExtent([0.15, 5])
      .on("zoom", (event) => {
        this.#viewport.attr("transform", event.transform);
        this.#svg.classed("is-zoomed-in", event.transform.k >= ZOOMED_IN);
        if (event.sourceEvent) this.#userMoved = true;
      });
    this.#svg.call(this.#zoom).on("dblclick.zoom", null);

    this.#simulation = forceSimulation()
      .velocityDecay(0.42)
      .force(
        "link",
        forceLink()
          .id((node) => node.id)
          .distance((link) => link.distance)
          .strength(0.7),
      )
      .force("charge", forceManyBody().distanceMax(420))
      .force("collide", forceCollide().radius((node) => radiusOf(node) + (node.kind === "entity" ? 9 : 14)))
      .force("x", forceX(0).strength(0.035))
      .force("y", forceY(0).strength(0.035))
      .on("tick", () => this.#scheduleDraw())
      .on("end", () => {
        if (this.#fitWhenSettled && !this.#userMoved) this.fit();
        this.#fitWhenSettled = false;
      })
      .stop();

    this.#resizeObserver = new ResizeObserver(() => this.#resize());
    this.#resizeObserver.observe(element);
    this.#resize();
  }

  /** The nodes on screen now (what tests and the page read back). */
  get nodes() {
    return this.#nodes;
  }

  /**
   * Shows these nodes and links. A node: {id, label, kind: center|category|more|entity, type,
   * near (id of the node a new one starts beside), count, title, dimmed, fresh, expanded}.
   * A link: {source, target, label}. layout "force" lets the simulation place nodes, "path" lines
   * them up in order.
   */
  setData(nodes, links, { layout = "force", fit = false } = {}) {
    const previous = new Map(this.#nodes.map((node) => [node.id, node]));
    const layoutChanged = layout !== this.#layout;
    this.#layout = layout;
    this.#nodes = nodes.map((node) => {
      const before = previous.get(node.id);
      const placed = { ...node };
      if (before && !layoutChanged) {
        Object.assign(placed, { x: before.x, y: before.y, vx: before.vx, vy: before.vy });
      } else {
        // A new node starts beside its anchor, on the side away from the centre, so that an
        // expansion unfolds outwards instead of through the rest of the graph.
        const anchor = previous.get(node.near);
        const outward = anchor && (anchor.x || anchor.y) ? Math.atan2(anchor.y, anchor.x) : Math.random() * Math.PI * 2;
        const angle = outward + (Math.random() - 0.5) * (anchor ? 1.8 : Math.PI * 2);
        const spread = anchor ? 45 : 120;
        placed.x = (anchor?.x ?? 0) + Math.cos(angle) * spread;
        placed.y = (anchor?.y ?? 0) + Math.sin(angle) * spread;
      }
      if (node.kind === "center" && layout === "force") Object.assign(placed, { fx: 0, fy: 0 });
      return placed;
    });
    const byId = new Map(this.#nodes.map((node) => [node.id, node]));
    this.#links = links
      .filter((link) => byId.has(link.source) && byId.has(link.target))
      .map((link) => ({ ...link, distance: LINK_DISTANCE[byId.get(link.target).kind] ?? 60 }));

    if (fit || layoutChanged) this.#userMoved = false;
    this.#render();
    if (layout === "path") {
      this.#placeAlongPath();
      this.#simulation.stop();
      this.#draw();
      this.fit(false);
    } else {
      this.#restart(fit);
    }
  }

  /** Updates per-node flags (dimmed, fresh, expanded, label) without moving anything. */
  updateFlags(flagsById) {
    for (const node of this.#nodes) Object.assign(node, flagsById(node) ?? {});
    this.#render();
    this.#draw();
  }

  clear() {
    this.#simulation.stop();
    this.#nodes = [];
    this.#links = [];
    this.#render();
  }

  /** Zooms and pans so that every node is in view. */
  fit(animate = true) {
    if (this.#nodes.length === 0 || this.#width === 0) return;
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    const sparse = this.#svg.classed("has-sparse-labels");
    for (const node of this.#nodes) {
      const r = radiusOf(node);
      // Room for the label under the node too (about 6.5 px a character at 11-12.5 px).
      const labelled = node.kind !== "entity" || !sparse;
      const halfWidth = labelled ? Math.max(r, shortLabel(node).length * 3.3) : r;
      minX = Math.min(minX, node.x - halfWidth - 8);
      maxX = Math.max(maxX, node.x + halfWidth + 8);
      minY = Math.min(minY, node.y - r - 8);
      maxY = Math.max(maxY, node.y + r + (labelled ? 22 : 8));
    }
    const scale = Math.min(1.25, 0.92 * Math.min(this.#width / (maxX - minX), this.#height / (maxY - minY)));
    const transform = zoomIdentity
      .translate(this.#width / 2, this.#height / 2)
      .scale(scale)
      .translate(-(minX + maxX) / 2, -(minY + maxY) / 2);
    const target = animate && !reducedMotion() ? this.#svg.transition().duration(350) : this.#svg;
    target.call(this.#zoom.transform, transform);
    this.#userMoved = false;
  }

  destroy() {
    this.#simulation.stop();
    this.#resizeObserver.disconnect();
    cancelAnimationFrame(this.#frame);
    this.#svg.remove();
  }

  #restart(fit) {
    const big = this.#nodes.length > BIG_GRAPH;
    this.#simulation.nodes(this.#nodes);
    this.#simulation.force("link").links(this.#links);
    this.#simulation
      .force("charge")
      .theta(big ? 1.1 : 0.9)
      .strength((node) => (node.kind === "entity" ? (big ? -30 : -60) : -480));
    this.#simulation.alphaDecay(big ? 0.07 : 0.045);
    this.#fitWhenSettled = fit || !this.#userMoved;
    this.#simulation.alpha(fit ? 1 : 0.55).restart();
    if (reducedMotion()) {
      // Settle off-screen in one go instead of animating.
      this.#simulation.stop();
      this.#simulation.tick(Math.ceil(Math.log(0.001) / Math.log(1 - this.#simulation.alphaDecay())));
      this.#draw();
      if (!this.#userMoved) this.fit(false);
    }
  }

  #placeAlongPath() {
    const count = this.#nodes.length;
    const vertical = this.#width > 0 && this.#width < 560;
    this.#vertical = vertical;
    const step = vertical ? 86 : 150;
    this.#nodes.forEach((node, index) => {
      const offset = (index - (count - 1) / 2) * step;
      const wobble = index % 2 === 0 ? -18 : 18;
      node.x = vertical ? wobble : offset;
      node.y = vertical ? offset : wobble;
      node.fx = node.x;
      node.fy = node.y;
    });
  }

  #render() {
    const sparse = this.#nodes.filter((node) => node.kind === "entity").length > LABEL_ALL_LIMIT;
    this.#svg.classed("has-sparse-labels", sparse);

    this.#linkSelection = this.#linkSelection
      .data(this.#links, (link) => `${idOf(link.source)}>${idOf(link.target)}`)
      .join("line")
      .attr("class", (link) => `graph-link${link.label ? " has-label" : ""}`);

    this.#linkLabelSelection = this.#linkLabelSelection
      .data(
        this.#links.filter((link) => link.label),
        (link) => `${idOf(link.source)}>${idOf(link.target)}`,
      )
      .join("text")
      .attr("class", "graph-link-label")
      .text((link) => link.label);

    this.#nodeSelection = this.#nodeSelection
      .data(this.#nodes, (node) => node.id)
      .join((enter) => {
        const group = enter.append("g").attr("tabindex", 0).attr("role", "button");
        group.append("circle");
        group.append("text").attr("class", "graph-label");
        group.append("title");
        group
          .on("click", (event, node) => {
            event.stopPropagation();
            this.#onActivate(node);
          })
          .on("keydown", (event, node) => {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              this.#onActivate(node);
            }
          });
        return group;
      })
      .attr("class", (node) =>
        [
          "graph-node",
          `kind-${node.kind}`,
          node.type ? `type-${node.type}` : "",
          node.dimmed ? "is-dimmed" : "",
          node.fresh ? "is-fresh" : "",
          node.expanded ? "is-expanded" : "",
          node.loading ? "is-loading" : "",
        ]
          .filter(Boolean)
          .join(" "),
      )
      .attr("data-id", (node) => node.id)
      .attr("data-kind", (node) => node.kind)
      .attr("data-type", (node) => node.type ?? null)
      .attr("data-label", (node) => node.label)
      .attr("aria-label", (node) => node.title ?? node.label);

    this.#nodeSelection.select("circle").attr("r", radiusOf);
    this.#nodeSelection
      .select("text")
      .attr("dy", (node) => (node.kind === "entity" ? radiusOf(node) + 12 : radiusOf(node) + 15))
      .attr("text-anchor", "middle")
      .text(shortLabel);
    this.#nodeSelection.select("title").text((node) => node.title ?? node.label);

    if (this.#layout === "force") {
      this.#nodeSelection.call(
        drag()
          .on("start", (event, node) => {
            if (!event.active) this.#simulation.alphaTarget(0.15).restart();
            node.fx = node.x;
            node.fy = node.y;
          })
          .on("drag", (event, node) => {
            node.fx = event.x;
            node.fy = event.y;
          })
          .on("end", (event, node) => {
            if (!event.active) this.#simulation.alphaTarget(0);
            if (node.kind !== "center") {
              node.fx = null;
              node.fy = null;
            }
          }),
      );
    } else {
      this.#nodeSelection.on(".drag", null);
    }
  }

  #scheduleDraw() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #draw() {
    this.#nodeSelection.attr("transform", (node) => `translate(${node.x.toFixed(1)},${node.y.toFixed(1)})`);
    const position = (link, end) => {
      const node = typeof link[end] === "object" ? link[end] : this.#nodes.find((n) => n.id === link[end]);
      return node ?? { x: 0, y: 0 };
    };
    this.#linkSelection
      .attr("x1", (link) => position(link, "source").x)
      .attr("y1", (link) => position(link, "source").y)
      .attr("x2", (link) => position(link, "target").x)
      .attr("y2", (link) => position(link, "target").y);
    // Beside the edge when the path runs down a narrow screen, above it when it runs across.
    const [dx, dy] = this.#vertical ? [14, 4] : [0, -6];
    this.#linkLabelSelection
      .attr("text-anchor", this.#vertical ? "start" : "middle")
      .attr("x", (link) => (position(link, "source").x + position(link, "target").x) / 2 + dx)
      .attr("y", (link) => (position(link, "source").y + position(link, "target").y) / 2 + dy);
  }

  #resize() {
    const { width, height } = this.#element.getBoundingClientRect();
    if (width === 0 || height === 0) return;
    const changed = Math.abs(width - this.#width) > 1 || Math.abs(height - this.#height) > 1;
    this.#width = width;
    this.#height = height;
    this.#svg.attr("width", width).attr("height", height).attr("viewBox", `0 0 ${width} ${height}`);
    if (!changed) return;
    if (this.#layout === "path" && this.#nodes.length > 0) {
      this.#placeAlongPath();
      this.#draw();
    }
    if (!this.#userMoved) this.fit(false);
  }
}

function radiusOf(node) {
  if (node.kind === "category") return RADIUS.category + Math.min(9, Math.log10(1 + (node.count ?? 0)) * 3);
  return RADIUS[node.kind] ?? RADIUS.entity;
}

function shortLabel(node) {
  return shorten(node.label, node.kind === "entity" ? LABEL_MAX : LABEL_MAX + 14);
}

function shorten(text, length) {
  const value = String(text ?? "");
  return value.length > length ? `${value.slice(0, length - 1).trimEnd()}…` : value;
}

function idOf(end) {
  return typeof end === "object" ? end.id : end;
}
