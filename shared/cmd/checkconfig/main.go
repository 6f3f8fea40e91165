// Command checkconfig checks a deployment's variables the way the Worker
// does, before they are deployed. It reads a JSON object of variable names
// to values on stdin, runs config.Parse on them, and prints each problem
// by variable, or "ok". It exits 1 when there are problems.
//
// `make check-config ENV=production` feeds it the vars of that wrangler
// environment; secrets, which wrangler.toml never holds, come from the
// shell's environment when set there, and are otherwise reported as
// unchecked rather than as missing.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cloudpage-gate/gate/shared/config"
)

func main() {
	os.Exit(run(os.Stdin, os.Stdout))
}

// input is what the caller sends: the variables, and the secrets it could
// not see, which stand in with a valid placeholder so they are not
// reported as missing.
type input struct {
	Vars      map[string]string `json:"vars"`
	Unchecked []string          `json:"unchecked"`
}

// placeholders are valid values for secrets that are not checked.
var placeholders = map[string]string{
	config.VarClientSecret: "placeholder-secret",
	config.VarSessionKeys:  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
}

func run(r io.Reader, w io.Writer) int {
	var in input
	if err := json.NewDecoder(r).Decode(&in); err != nil {
		fmt.Fprintf(w, "checkconfig: reading input: %v\n", err)
		return 2
	}
	for _, name := range in.Unchecked {
		if v, ok := placeholders[name]; ok {
			in.Vars[name] = v
		}
	}

	_, err := config.Parse(func(name string) string { return in.Vars[name] })
	var ce *config.Error
	switch {
	case err == nil:
		fmt.Fprintln(w, "ok")
		return 0
	case errors.As(err, &ce):
		for _, p := range ce.Problems {
			fmt.Fprintf(w, "%s: %s\n", p.Var, p.Msg)
		}
	default:
		fmt.Fprintln(w, err)
	}
	return 1
}
