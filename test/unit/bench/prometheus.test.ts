import { expect } from 'chai';
import { histogramQuantile, metricSum, quantile } from '../../../bench/lib/prometheus.js';

const exposition = `# HELP workqueue_queue_duration_seconds How long
# TYPE workqueue_queue_duration_seconds histogram
workqueue_queue_duration_seconds_bucket{le="0.1",name="a"} 90
workqueue_queue_duration_seconds_bucket{le="1",name="a"} 98
workqueue_queue_duration_seconds_bucket{le="+Inf",name="a"} 100
workqueue_queue_duration_seconds_bucket{le="0.1",name="b"} 0
workqueue_queue_duration_seconds_bucket{le="1",name="b"} 0
workqueue_queue_duration_seconds_bucket{le="+Inf",name="b"} 0
workqueue_queue_duration_seconds_sum{name="a"} 12
workqueue_queue_duration_seconds_count{name="a"} 100
apiserver_request_total{resource="policyjobwatches",subresource="status",verb="APPLY"} 7
apiserver_request_total{resource="policyjobwatches",verb="LIST"} 3
process_cpu_seconds_total 4.5
`;

describe('bench: Prometheus text helpers', () => {
  it('sums a metric, optionally filtered by labels', () => {
    expect(metricSum(exposition, 'apiserver_request_total')).to.equal(10);
    expect(
      metricSum(exposition, 'apiserver_request_total', (l) => l.subresource === 'status'),
    ).to.equal(7);
    expect(metricSum(exposition, 'process_cpu_seconds_total')).to.equal(4.5);
    expect(metricSum(exposition, 'process_cpu_seconds')).to.equal(0);
  });

  it('finds the bucket that holds a quantile of a histogram', () => {
    const name = 'workqueue_queue_duration_seconds';
    expect(histogramQuantile(exposition, name, 0.5)).to.equal(0.1);
    expect(histogramQuantile(exposition, name, 0.9)).to.equal(0.1);
    expect(histogramQuantile(exposition, name, 0.95)).to.equal(1);
    expect(histogramQuantile(exposition, name, 0.99)).to.equal(Infinity);
    expect(histogramQuantile('', name, 0.5)).to.be.NaN;
  });

  it('takes quantiles of samples by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.5)).to.equal(50);
    expect(quantile(values, 0.99)).to.equal(99);
    expect(quantile(values, 1)).to.equal(100);
    expect(quantile([], 0.5)).to.be.NaN;
  });
});
