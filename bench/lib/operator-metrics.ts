import { histogramQuantile, metricSum } from './prometheus.js';

/** What the bench reads from the operator's /metrics after a phase. */
export interface OperatorMetrics {
  rss: number;
  heap: number;
  heapTotal: number;
  external: number;
  /** Events the operator dropped because its event queue was full. */
  eventsDropped: number;
  /** Events waiting in the operator's paced queue (--event-qps), not yet written. */
  eventsQueued: number;
  /** Upper bounds of the histogram buckets holding the 99th percentile, in seconds. */
  p99: { queueWait: number; reconcile: number; ucsCall: number };
  cpuSeconds: number;
  reconciles: number;
}

export function parseOperatorMetrics(text: string): OperatorMetrics {
  return {
    rss: metricSum(text, 'process_resident_memory_bytes'),
    heap: metricSum(text, 'nodejs_heap_size_used_bytes'),
    heapTotal: metricSum(text, 'nodejs_heap_size_total_bytes'),
    external: metricSum(text, 'nodejs_external_memory_bytes'),
    eventsDropped: metricSum(text, 'policyjobwatch_events_dropped_total'),
    eventsQueued: metricSum(text, 'policyjobwatch_events_queued'),
    p99: {
      queueWait: histogramQuantile(text, 'workqueue_queue_duration_seconds', 0.99),
      reconcile: histogramQuantile(text, 'controller_runtime_reconcile_time_seconds', 0.99),
      ucsCall: histogramQuantile(text, 'ucs_api_request_duration_seconds', 0.99),
    },
    cpuSeconds: metricSum(text, 'process_cpu_seconds_total'),
    reconciles: metricSum(text, 'controller_runtime_reconcile_total'),
  };
}

/** GET `url` and parse it as the operator's metrics. */
export async function fetchOperatorMetrics(url: string): Promise<OperatorMetrics> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${String(res.status)}`);
  return parseOperatorMetrics(await res.text());
}

export function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
