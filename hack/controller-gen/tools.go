//go:build tools

// Package tools pins controller-gen and the Prometheus Operator's monitoring.coreos.com API
// types (the input of `controller-gen crd`) so that `go mod tidy` keeps them.
package tools

import (
	_ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
