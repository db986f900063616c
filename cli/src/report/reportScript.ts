// The page's own script (plain browser JavaScript, kept as a string): reads the embedded JSON
// and draws every chart with echarts; faults become vertical marks on every time axis.

export const REPORT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var charts = [];
  var faultLines = data.faults.map(function (f) {
    return { xAxis: f.atSec, name: f.action + ' ' + f.dependency,
      lineStyle: { color: f.action === 'set' ? '#c0392b' : '#27ae60', type: 'dashed' },
      label: { formatter: f.action + ' ' + f.dependency, position: 'insideEndTop', fontSize: 10 } };
  });
  function zip(s) {
    var out = [];
    for (var i = 0; i < s.t.length; i++) out.push([s.t[i], s.v[i]]);
    return out;
  }
  function line(name, series, extra) {
    var o = { name: name, type: 'line', showSymbol: false, connectNulls: false, data: zip(series) };
    for (var k in extra || {}) o[k] = extra[k];
    return o;
  }
  function withFaults(series) {
    if (series.length > 0 && faultLines.length > 0) series[0].markLine = { symbol: 'none', silent: true, data: faultLines };
    return series;
  }
  function chart(id, title, yName, series, opts) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: 'canvas' });
    var hasData = series.some(function (s) { return s.data.length > 0; });
    c.setOption({
      animation: false,
      title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      legend: { top: 22, type: 'scroll' },
      grid: { left: 60, right: 20, top: 60, bottom: 40 },
      xAxis: { type: 'value', name: 's', min: 0, max: Math.ceil(data.run.durationSec) },
      yAxis: { type: (opts && opts.log) ? 'log' : 'value', name: yName, min: (opts && opts.log) ? null : 0 },
      series: withFaults(series),
      graphic: hasData ? [] : [{ type: 'text', left: 'center', top: 'middle', style: { text: 'no data', fontSize: 14, fill: '#999' } }]
    });
    charts.push(c);
  }
  var rateSeries = [
    line('target', data.rate.target, { lineStyle: { type: 'dashed' } }),
    line('achieved', data.rate.achieved)
  ];
  if (data.rate.requests) rateSeries.push(line('requests/s', data.rate.requests, { lineStyle: { type: 'dotted' } }));
  chart('chart-rate', data.rate.source === 'generator samples' ? 'Target vs achieved iterations/s' : 'Requests due vs sent per second', 'per s', rateSeries);
  var classes = Object.keys(data.errors.statusClasses).sort();
  chart('chart-status', 'Responses per second by status class', 'req/s', classes.map(function (k) {
    return line(k, data.errors.statusClasses[k], { stack: 'status', areaStyle: {} });
  }));
  chart('chart-errors', 'Error rate (http_req_failed)', 'fraction', [line('error rate', data.errors.errorRate)]);
  chart('chart-dropped', 'Dropped iterations and active VUs', '', [
    line('dropped iterations', data.droppedIterations),
    line('active VUs', data.activeVus)
  ]);
  chart('chart-cpu', 'Generator CPU (% of one core)', '%', [line('generator CPU', data.generatorCpu)]);
  data.latency.forEach(function (s, i) {
    function ser(v) { return { t: s.t, v: v }; }
    chart('chart-lat-' + i, 'Latency of ' + s.step + ' (ms, log scale)', 'ms', [
      line('p50 corrected', ser(s.p50)),
      line('p95 corrected', ser(s.p95)),
      line('p99 corrected', ser(s.p99)),
      line('p99 uncorrected', ser(s.uncorrectedP99), { lineStyle: { type: 'dotted' } }),
      line('p99 server span', ser(s.serverP99), { lineStyle: { type: 'dashed' } })
    ], { log: true });
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-charts', String(charts.length));
})();
`;
