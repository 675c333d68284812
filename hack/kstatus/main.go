// Command kstatus prints what kstatus (sigs.k8s.io/cli-utils/pkg/kstatus/status.Compute), the
// library Flux uses for `wait: true` and `healthChecks`, computes for one object.
//
// Input: one object as JSON on stdin (e.g. `kubectl get pjw NAME -o json`).
// Output: {"status":"Current|InProgress|Failed|Terminating|NotFound|Unknown","message":"..."}.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type output struct {
	Status     string             `json:"status"`
	Message    string             `json:"message"`
	Conditions []status.Condition `json:"conditions,omitempty"`
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	// UnmarshalJSON keeps integers as int64, as client-go does for live objects; kstatus reads
	// metadata.generation and status.observedGeneration with NestedInt64.
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(data); err != nil {
		fail("decoding the object: %v", err)
	}
	res, err := status.Compute(obj)
	if err != nil {
		fail("kstatus: %v", err)
	}
	out, err := json.Marshal(output{Status: res.Status.String(), Message: res.Message, Conditions: res.Conditions})
	if err != nil {
		fail("encoding the result: %v", err)
	}
	fmt.Println(string(out))
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "kstatus: "+format+"\n", args...)
	os.Exit(2)
}
