// Runs Argo CD health checks (health.lua) with Argo CD's Lua engine. Test tool only.
module policyjobwatch.local/hack/argocd-health

go 1.25.0

require (
	github.com/yuin/gopher-lua v1.1.1
	sigs.k8s.io/yaml v1.4.0
)
