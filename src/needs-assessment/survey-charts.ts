import * as echarts from 'echarts';

/*
 * Survey charts (issue 17 §6) drawn on the server as SVG with Apache ECharts, served as images from their own
 * routes so the page's content security policy is untouched. Each chart sits beside a data table holding the
 * same figures, which is the primary content; a suppressed figure (CONF-5) is not drawn (null).
 */

export interface BarSeries {
  name: string;
  /** One value per category; null is not drawn. */
  values: Array<number | null>;
}

export interface BarChart {
  categories: string[];
  series: BarSeries[];
  /** The value axis: from 0 to max. */
  max: number;
  /** Horizontal bars (long labels). */
  horizontal?: boolean;
  /** How a value is labelled on its bar. */
  format?: 'decimal' | 'percent';
}

const COLOURS = ['#005eb8', '#768692', '#330072', '#007f3b'];

/** A bar chart as an SVG document: its size follows the number of categories. */
export function barChartSvg(chart: BarChart): string {
  const rows = chart.categories.length * Math.max(1, chart.series.length);
  const width = 720;
  const height = chart.horizontal ? Math.max(200, 60 + rows * 22) : 360;
  const instance = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const label = (v: number) => (chart.format === 'percent' ? `${Math.round(v * 100)}%` : v.toFixed(2));
  const categoryAxis = {
    type: 'category' as const,
    data: chart.categories,
    inverse: chart.horizontal === true,
    axisLabel: { color: '#212b32', fontSize: 12, width: chart.horizontal ? 220 : 90, overflow: 'break' as const },
  };
  const valueAxis = {
    type: 'value' as const,
    min: 0,
    max: chart.max,
    axisLabel: {
      color: '#212b32',
      formatter: (v: number) => (chart.format === 'percent' ? `${Math.round(v * 100)}%` : String(v)),
    },
  };
  try {
    instance.setOption({
      animation: false,
      textStyle: { fontFamily: 'Arial, sans-serif' },
      color: COLOURS,
      legend: chart.series.length > 1 ? { top: 0, textStyle: { color: '#212b32' } } : undefined,
      grid: { left: chart.horizontal ? 240 : 50, right: 40, top: chart.series.length > 1 ? 36 : 16, bottom: 40 },
      xAxis: chart.horizontal ? valueAxis : categoryAxis,
      yAxis: chart.horizontal ? categoryAxis : valueAxis,
      series: chart.series.map((s) => ({
        name: s.name,
        type: 'bar',
        data: s.values.map((v) => (v === null ? '-' : v)),
        label: {
          show: true,
          position: chart.horizontal ? 'right' : 'top',
          color: '#212b32',
          formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? label(p.value) : ''),
        },
      })),
    });
    return instance.renderToSVGString();
  } finally {
    instance.dispose();
  }
}
