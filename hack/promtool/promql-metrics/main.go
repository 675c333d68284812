// Command promql-metrics prints the metric names that PromQL expressions select, parsed by
// Prometheus's own PromQL parser (the one promtool and the Prometheus server use). Test tool
// only: the monitoring tests check that every metric the alerts and the dashboard query is one
// the operator exports.
//
// Input: a JSON array of expressions on stdin. Output: a JSON array, per expression, of the
// metric names of its selectors, sorted and unique. An expression that does not parse, or a
// selector without a metric name, is an error (exit 1) that names the expression.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	var exprs []string
	if err := json.Unmarshal(data, &exprs); err != nil {
		fail("stdin is not a JSON array of strings: %v", err)
	}
	p := parser.NewParser(parser.Options{})
	out := make([][]string, 0, len(exprs))
	for _, input := range exprs {
		expr, err := p.ParseExpr(input)
		if err != nil {
			fail("%q: %v", input, err)
		}
		names := []string{}
		parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
			switch n := node.(type) {
			case *parser.VectorSelector:
				name := metricName(n)
				if name == "" {
					fail("%q: selector %s has no metric name", input, n.String())
				}
				names = append(names, name)
			}
			return nil
		})
		slices.Sort(names)
		out = append(out, slices.Compact(names))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("writing stdout: %v", err)
	}
}

// metricName is the selector's name, written before the braces or as {__name__="..."}.
func metricName(s *parser.VectorSelector) string {
	if s.Name != "" {
		return s.Name
	}
	for _, m := range s.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "promql-metrics: "+format+"\n", args...)
	os.Exit(1)
}
