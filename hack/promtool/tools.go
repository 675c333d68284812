//go:build tools

// Package tools pins Prometheus's promtool so that `go mod tidy` keeps it.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
