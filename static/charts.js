// charts.js — charts drawn with Apache ECharts (static/vendor/echarts, loaded once with a script tag; no build
// step). Every chart comes with its numbers as a <table> in a <details> beside it, built from the same data, for
// screen readers and for copying into a report; if ECharts cannot load, the tables are opened instead.
//
//   const fig = chartFigure({ id, title, categories, series: [{ name, data }], kind: 'bar' | 'pie', ... })
//   root.append(fig.el); await fig.draw();

import { h, formatNumber } from '/ui.js';

let loading = null;

/** loadECharts resolves with window.echarts, adding the script once. */
export function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/vendor/echarts/echarts.min.js';
      s.onload = () => resolve(window.echarts);
      s.onerror = () => { loading = null; reject(new Error('图表组件加载失败')); };
      document.head.append(s);
    });
  }
  return loading;
}

// Colours: the brand blue, green for the green channel, then calm distinct hues.
export const COLORS = ['#1c7ed6', '#2f9e44', '#f08c00', '#ae3ec9', '#868e96', '#e03131', '#0c8599', '#5c940d'];

const live = new Set(); // charts on the current page, resized with the window and disposed on the next draw

window.addEventListener('resize', () => { for (const c of live) c.resize(); });

/** disposeCharts frees the charts of the page being left. */
export function disposeCharts() {
  for (const c of live) c.dispose();
  live.clear();
}

/** compactYuan: an axis label or bar label in yuan — 7,000, 7.5万, 1.2亿 (the table keeps the exact amount). */
export function compactYuan(v) {
  const a = Math.abs(v);
  if (a >= 1e8) return `${+(v / 1e8).toFixed(2)}亿`;
  if (a >= 1e4) return `${+(v / 1e4).toFixed(1)}万`;
  return formatNumber(Math.round(v));
}

function option(o) {
  const full = o.format || formatNumber;
  const fmt = o.short || full; // labels on the drawing; the tooltip and the table show full
  const base = { animation: false, color: o.colors || COLORS,
    tooltip: { trigger: o.kind === 'pie' ? 'item' : 'axis', confine: true, valueFormatter: (v) => full(v) } };
  if (o.kind === 'pie') {
    const s = o.series[0];
    return { ...base, legend: { bottom: 0, type: 'scroll' },
      series: [{ type: 'pie', name: s.name, radius: ['35%', '65%'], center: ['50%', '45%'],
        label: { formatter: (p) => `${p.name}\n${fmt(p.value)}` },
        // a slice of nothing keeps its place in the legend and the data, without a label on the drawing
        data: o.categories.map((c, i) => ({ name: c, value: s.data[i], label: { show: s.data[i] > 0 }, labelLine: { show: s.data[i] > 0 } })) }] };
  }
  const cat = { type: 'category', data: o.categories, axisLabel: { interval: 0, hideOverlap: true } };
  const val = { type: 'value', axisLabel: { formatter: (v) => fmt(v) } };
  return { ...base,
    legend: o.series.length > 1 ? { top: 0 } : undefined,
    grid: { left: 8, right: o.horizontal && !o.stack ? 56 : 24, top: o.series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
    xAxis: o.horizontal ? val : cat,
    yAxis: o.horizontal ? { ...cat, inverse: true } : val,
    series: o.series.map((s) => ({ type: o.line ? 'line' : 'bar', name: s.name, data: s.data, stack: o.stack ? 'all' : undefined,
      barMaxWidth: 36, label: o.stack ? undefined : { show: true, position: o.horizontal ? 'right' : 'top', formatter: (p) => (p.value ? fmt(p.value) : '') } })) };
}

/** dataTable: the chart's numbers, one row per category, one column per series (and a total for several). */
export function dataTable(o) {
  const fmt = o.format || formatNumber;
  const total = o.series.length > 1 && o.stack;
  return h('table', { class: 'table chart-table', id: `${o.id}-table` },
    h('caption', { class: 'sr-only' }, o.title),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, o.categoryTitle || '项目'),
      o.series.map((s) => h('th', { scope: 'col', class: 'num' }, s.name)), total ? h('th', { scope: 'col', class: 'num' }, '合计') : null)),
    h('tbody', null, o.categories.map((c, i) => h('tr', null, h('th', { scope: 'row' }, c),
      o.series.map((s) => h('td', { class: 'num', dataset: { value: String(s.data[i]) } }, fmt(s.data[i]))),
      total ? h('td', { class: 'num' }, fmt(o.series.reduce((n, s) => n + s.data[i], 0))) : null))));
}

/**
 * chartFigure builds a chart card: the title, the drawing area, and the data table in a <details>.
 * o: { id, title, categories, series: [{ name, data: numbers }], kind: 'bar'|'pie', horizontal, stack, line,
 *      format: value → text (table, tooltip), short: value → text (axis, labels), categoryTitle, height, note }
 */
export function chartFigure(o) {
  const area = h('div', { class: 'chart-area', id: `${o.id}-chart`, role: 'img', 'aria-label': `${o.title}（数据见下表）`,
    style: { height: `${o.height || 260}px` } });
  const details = h('details', { class: 'chart-data' }, h('summary', null, '查看数据'), dataTable(o));
  const empty = o.series.every((s) => s.data.every((v) => !v));
  const el = h('figure', { class: 'chart-card card', id: o.id, dataset: { chart: o.id } },
    h('figcaption', { class: 'card-title' }, o.title),
    o.note ? h('div', { class: 'muted chart-note' }, o.note) : null,
    empty ? h('p', { class: 'muted chart-empty' }, '暂无数据') : null, area, details);
  return {
    el,
    async draw() {
      try {
        const echarts = await loadECharts();
        const c = echarts.init(area, null, { renderer: 'canvas' });
        c.setOption(option(o));
        live.add(c);
      } catch (err) {
        area.replaceWith(h('p', { class: 'muted' }, `${err.message}，请查看下表数据。`));
        details.open = true;
      }
    },
  };
}
