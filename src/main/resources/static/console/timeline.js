// The batch's timeline on a <canvas>: one lane per running slot (a job takes the first
// lane free when it starts, so a batch of maxParallelism 8 shows 8 lanes), each attempt
// a bar coloured by the job's outcome, a vertical line at the cause's requestedAt and a
// marker where each cancelled job stopped. A canvas, not DOM nodes: a 100 000-job batch
// is 100 000 rectangles painted once per frame, and past MAX_ROWS lanes the slots share
// rows (aggregated) instead of shrinking below a pixel.

import { millis } from './format.js';

const MAX_ROWS = 64;
const AXIS_HEIGHT = 22;
// Room at each end for the markers and the axis labels.
const PADDING = 8;
const COLOUR_OF = {
  RUNNING: '--tl-running',
  SUCCEEDED: '--tl-succeeded',
  FAILED: '--tl-failed',
  CANCELLED: '--tl-cancelled',
};

export class Timeline {
  /** `canvas` is drawn on; `caption`, which names it, gets the same picture in words. */
  constructor(canvas, caption) {
    this.canvas = canvas;
    this.caption = caption;
    this.jobs = new Map();
    this.batch = null;
    this.frame = 0;
    this.drawnOnce = false;
    this.resize = new ResizeObserver(() => this.schedule());
    this.resize.observe(canvas);
    // Running bars grow with the clock; redrawn a few times a second while any runs.
    this.ticker = setInterval(() => {
      if (this.running()) this.schedule();
    }, 250);
  }

  dispose() {
    this.resize.disconnect();
    clearInterval(this.ticker);
    cancelAnimationFrame(this.frame);
  }

  /** A job as the API or a job event shows it; one without a start has no bar. */
  upsert(job) {
    if (!job.startedAt) {
      if (this.jobs.delete(job.id)) this.schedule();
      return;
    }
    const known = this.jobs.get(job.id);
    const next = {
      start: Date.parse(job.startedAt),
      end: job.finishedAt ? Date.parse(job.finishedAt) : null,
      state: job.state,
    };
    // A page read before an event may be older than it: an ended job stays ended.
    if (known && known.end !== null && next.end === null) return;
    this.jobs.set(job.id, next);
    this.schedule();
  }

  setBatch(batch) {
    this.batch = batch;
    this.schedule();
  }

  clear() {
    this.jobs.clear();
    this.schedule();
  }

  running() {
    return this.batch && !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(this.batch.state);
  }

  schedule() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw();
      });
    }
  }

  /** Gives each bar its lane: the lowest-numbered free slot is not needed, any free one is. */
  lanes(now) {
    const bars = [...this.jobs.values()].sort((a, b) => a.start - b.start);
    const free = new MinHeap();
    let lanes = 0;
    for (const bar of bars) {
      const end = bar.end ?? now;
      if (free.size && free.peek().end <= bar.start) {
        const slot = free.pop();
        bar.lane = slot.lane;
      } else {
        bar.lane = lanes++;
      }
      free.push({ end, lane: bar.lane });
    }
    return { bars, lanes };
  }

  draw() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const context = canvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const style = getComputedStyle(canvas);
    const colour = (name) => style.getPropertyValue(name).trim();
    context.fillStyle = colour('--tl-background');
    context.fillRect(0, 0, width, height);

    const now = Date.now();
    const { bars, lanes } = this.lanes(now);
    const cause = this.batch?.cancellation;
    const causeAt = cause ? Date.parse(cause.requestedAt) : null;
    let from = this.batch?.startedAt ? Date.parse(this.batch.startedAt) : Infinity;
    let to = -Infinity;
    for (const bar of bars) {
      from = Math.min(from, bar.start);
      to = Math.max(to, bar.end ?? now);
    }
    if (causeAt !== null) to = Math.max(to, causeAt);
    if (!Number.isFinite(from) || !Number.isFinite(to)) {
      this.describe({ bars, lanes, from: 0, causeAt, markers: 0 });
      return;
    }
    const span = Math.max(to - from, 1);
    const plotHeight = height - AXIS_HEIGHT;
    const rows = Math.max(1, Math.min(lanes, MAX_ROWS));
    const rowHeight = Math.max(1, Math.min(24, plotHeight / rows));
    const x = (time) => ((time - from) / span) * (width - 2 * PADDING) + PADDING;
    const row = (lane) => Math.floor((lane * rows) / Math.max(lanes, 1));

    let markers = 0;
    let fill = '';
    for (const bar of bars) {
      const next = colour(COLOUR_OF[bar.state] || '--tl-running');
      if (next !== fill) context.fillStyle = fill = next;
      const left = x(bar.start);
      const right = x(bar.end ?? now);
      context.fillRect(left, row(bar.lane) * rowHeight + 1, Math.max(1, right - left), Math.max(1, rowHeight - 2));
    }
    // Markers over the bars: where each cancelled job stopped.
    context.fillStyle = colour('--tl-marker');
    for (const bar of bars) {
      if (bar.state !== 'CANCELLED' || bar.end === null) continue;
      markers++;
      const top = row(bar.lane) * rowHeight;
      const tip = x(bar.end);
      context.beginPath();
      context.moveTo(tip - 4, top);
      context.lineTo(tip + 4, top);
      context.lineTo(tip, top + Math.min(8, rowHeight));
      context.closePath();
      context.fill();
    }
    if (causeAt !== null) {
      context.strokeStyle = colour('--tl-cause');
      context.lineWidth = 2;
      context.setLineDash([5, 3]);
      context.beginPath();
      context.moveTo(x(causeAt), 0);
      context.lineTo(x(causeAt), plotHeight);
      context.stroke();
      context.setLineDash([]);
    }
    this.axis(context, colour('--tl-axis'), width, plotHeight, span);
    this.describe({ bars, lanes, from, causeAt, markers });
    if (!this.drawnOnce && bars.length) {
      this.drawnOnce = true;
      performance.mark('console:timeline');
    }
  }

  axis(context, colour, width, top, span) {
    context.fillStyle = colour;
    context.strokeStyle = colour;
    context.lineWidth = 1;
    context.font = '12px system-ui, sans-serif';
    context.textBaseline = 'top';
    const ticks = Math.max(2, Math.floor(width / 110));
    for (let i = 0; i <= ticks; i++) {
      const left = (i / ticks) * (width - 2 * PADDING) + PADDING;
      context.beginPath();
      context.moveTo(left, top);
      context.lineTo(left, top + 4);
      context.stroke();
      context.textAlign = i === 0 ? 'left' : i === ticks ? 'right' : 'center';
      context.fillText(millis((i / ticks) * span), left, top + 6);
    }
  }

  /** The picture in words, for screen readers, and as data-* for tests and tools. */
  describe({ bars, lanes, from, causeAt, markers }) {
    const parts = [`${bars.length} jobs started in ${lanes} lanes`];
    if (causeAt !== null && bars.length) parts.push(`the cause at ${millis(causeAt - from)}`);
    if (markers) parts.push(`${markers} cancelled jobs marked where they stopped`);
    if (lanes > MAX_ROWS) parts.push(`${lanes} slots shown in ${MAX_ROWS} rows`);
    const text = `Timeline: ${parts.join('; ')}.`;
    this.caption.textContent = text;
    Object.assign(this.canvas.dataset, {
      bars: bars.length,
      lanes,
      markers,
      cause: causeAt === null ? '' : String(causeAt - from),
    });
  }
}

/** A binary min-heap of {end, lane} by end: which slot frees first. */
class MinHeap {
  constructor() {
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  peek() {
    return this.items[0];
  }

  push(item) {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent].end <= items[i].end) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  pop() {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left].end < items[smallest].end) smallest = left;
        if (right < items.length && items[right].end < items[smallest].end) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i], items[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}
