//go:build tools

// Package tools pins Helm's command so that `go mod tidy` keeps it.
package tools

import _ "helm.sh/helm/v4/cmd/helm"
