// Command argocd-health runs an Argo CD resource health check (health.lua) the way Argo CD does,
// with the same Lua engine (github.com/yuin/gopher-lua, the version Argo CD pins).
//
//	argocd-health test DIR   runs DIR/health_test.yaml against DIR/health.lua, like Argo CD's
//	                         TestLuaHealthScript: one line per case, exit 1 on any mismatch
//	argocd-health eval FILE  runs the script FILE on one object (JSON on stdin) and prints
//	                         {"status":"...","message":"..."}
//
// Argo CD runs a script from argocd-cm with only the package, base and table libraries (and a
// "safe" os) unless resource.customizations.useOpenLibs.<group_kind> is "true"; its built-in
// scripts and TestLuaHealthScript get all of them. `test` runs every case both ways and both must
// give the expected result; `eval` uses the argocd-cm set. The "safe" os library is left out
// here, so a script that passes here also passes in Argo CD.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	lua "github.com/yuin/gopher-lua"
	"sigs.k8s.io/yaml"
)

// healthStatus is Argo CD's health.HealthStatus.
type healthStatus struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// Argo CD's health test file: tests[].inputPath and tests[].healthStatus.
type testFile struct {
	Tests []struct {
		InputPath    string       `json:"inputPath"`
		HealthStatus healthStatus `json:"healthStatus"`
	} `json:"tests"`
}

var validStatuses = map[string]bool{
	"Unknown": true, "Progressing": true, "Suspended": true,
	"Healthy": true, "Degraded": true, "Missing": true,
}

func main() {
	if len(os.Args) != 3 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "test":
		err = runTests(os.Args[2])
	case "eval":
		err = evalStdin(os.Args[2])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "argocd-health: %v\n", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: argocd-health test DIR | argocd-health eval HEALTH_LUA < object.json")
	os.Exit(2)
}

func runTests(dir string) error {
	script, err := os.ReadFile(filepath.Join(dir, "health.lua"))
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "health_test.yaml"))
	if err != nil {
		return err
	}
	var tests testFile
	if err := yaml.UnmarshalStrict(raw, &tests); err != nil {
		return fmt.Errorf("health_test.yaml: %w", err)
	}
	failed := 0
	for _, tc := range tests.Tests {
		got, err := runCase(filepath.Join(dir, tc.InputPath), string(script))
		want := tc.HealthStatus
		switch {
		case err != nil:
			failed++
			fmt.Printf("FAIL %s: %v\n", tc.InputPath, err)
		case got != want:
			failed++
			fmt.Printf("FAIL %s: expected %s %q, got %s %q\n", tc.InputPath, want.Status, want.Message, got.Status, got.Message)
		default:
			fmt.Printf("PASS %s %s %q\n", tc.InputPath, got.Status, got.Message)
		}
	}
	fmt.Printf("%d passed, %d failed\n", len(tests.Tests)-failed, failed)
	if len(tests.Tests) == 0 {
		return errors.New("health_test.yaml has no tests")
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d cases failed", failed, len(tests.Tests))
	}
	return nil
}

// runCase loads the input as TestLuaHealthScript does (sigs.k8s.io/yaml into a map) and runs the
// script with all libraries and with argocd-cm's restricted set; both must agree.
func runCase(inputPath, script string) (healthStatus, error) {
	raw, err := os.ReadFile(inputPath)
	if err != nil {
		return healthStatus{}, err
	}
	obj := map[string]any{}
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		return healthStatus{}, err
	}
	open, err := executeHealthLua(obj, script, true)
	if err != nil {
		return healthStatus{}, fmt.Errorf("with all libraries: %w", err)
	}
	restricted, err := executeHealthLua(obj, script, false)
	if err != nil {
		return healthStatus{}, fmt.Errorf("with argocd-cm's libraries (base, table): %w", err)
	}
	if open != restricted {
		return healthStatus{}, fmt.Errorf("all libraries give %s %q but argocd-cm's give %s %q",
			open.Status, open.Message, restricted.Status, restricted.Message)
	}
	return restricted, nil
}

func evalStdin(scriptPath string) error {
	script, err := os.ReadFile(scriptPath)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	obj := map[string]any{}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("stdin: %w", err)
	}
	result, err := executeHealthLua(obj, string(script), false)
	if err != nil {
		return err
	}
	out, err := json.Marshal(result)
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

// executeHealthLua follows Argo CD's VM.runLua and VM.ExecuteHealthLua (util/lua/lua.go).
func executeHealthLua(obj map[string]any, script string, useOpenLibs bool) (healthStatus, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: !useOpenLibs})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return healthStatus{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", decodeValue(l, obj))
	if err := l.DoString(script); err != nil {
		return healthStatus{}, err
	}
	ret := l.Get(-1)
	if ret.Type() != lua.LTTable {
		return healthStatus{}, fmt.Errorf("expect table output from Lua script, not %s", ret.Type())
	}
	value, err := encodeValue(ret)
	if err != nil {
		return healthStatus{}, err
	}
	// Argo CD encodes the table as JSON and decodes it into HealthStatus: do the same, so a
	// wrongly typed field fails here as it fails there.
	data, err := json.Marshal(value)
	if err != nil {
		return healthStatus{}, err
	}
	var hs healthStatus
	if err := json.Unmarshal(data, &hs); err != nil {
		return healthStatus{}, err
	}
	if !validStatuses[hs.Status] {
		return healthStatus{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
	}
	return hs, nil
}

// decodeValue turns a decoded Kubernetes object into Lua values, as Argo CD's decodeValue does.
func decodeValue(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case json.Number:
		return lua.LString(v)
	case []any:
		arr := l.CreateTable(len(v), 0)
		for _, item := range v {
			arr.Append(decodeValue(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(v))
		for key, item := range v {
			tbl.RawSetH(lua.LString(key), decodeValue(l, item))
		}
		return tbl
	}
	return lua.LNil
}

// encodeValue turns the returned table into Go values the way layeh.com/gopher-json encodes it:
// a table with an array part is an array, any other table an object with string keys.
func encodeValue(value lua.LValue) (any, error) {
	switch v := value.(type) {
	case lua.LBool:
		return bool(v), nil
	case lua.LNumber:
		return float64(v), nil
	case lua.LString:
		return string(v), nil
	case *lua.LNilType:
		return nil, nil
	case *lua.LTable:
		if v.MaxN() > 0 {
			arr := make([]any, 0, v.MaxN())
			for i := 1; i <= v.MaxN(); i++ {
				item, err := encodeValue(v.RawGetInt(i))
				if err != nil {
					return nil, err
				}
				arr = append(arr, item)
			}
			return arr, nil
		}
		obj := map[string]any{}
		var err error
		v.ForEach(func(key, item lua.LValue) {
			if err != nil {
				return
			}
			name, ok := key.(lua.LString)
			if !ok {
				err = fmt.Errorf("cannot encode a table key of type %s", key.Type())
				return
			}
			obj[string(name)], err = encodeValue(item)
		})
		return obj, err
	}
	return nil, errors.New("cannot encode a value of type " + value.Type().String() + " (" + strconv.Quote(value.String()) + ")")
}
