// Command checkconfig checks a deployment's variables the way the Worker
// does, before they are deployed. It reads a JSON object on stdin, runs
// config.Parse on the variables, and prints each problem by variable, or
// "ok". It exits 1 when there are problems.
//
// `make check-config ENV=production` feeds it the vars of that wrangler
// environment; secrets, which wrangler.toml never holds, come from the
// shell's environment when set there, and are otherwise reported as
// unchecked rather than as missing. A secret that is written in
// wrangler.toml after all is a problem of its own: wrangler would deploy it
// as a plain-text var, and it sits in the file's history.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/cloudpage-gate/gate/shared/config"
)

func main() {
	os.Exit(run(os.Stdin, os.Stdout))
}

// input is what the caller sends: the variables; the secrets it could not
// see, which stand in with a valid placeholder so they are not reported as
// missing; the names written in wrangler.toml's vars; and the wrangler
// environment, for the commands the problems suggest.
type input struct {
	Vars      map[string]string `json:"vars"`
	Unchecked []string          `json:"unchecked"`
	InFile    []string          `json:"inFile"`
	Env       string            `json:"env"`
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
	if in.Vars == nil {
		in.Vars = map[string]string{}
	}
	for _, name := range in.Unchecked {
		if v, ok := placeholders[name]; ok {
			in.Vars[name] = v
		}
	}

	filed := secretsInFile(w, in)
	_, err := config.Parse(func(name string) string { return in.Vars[name] })
	var ce *config.Error
	switch {
	case err == nil && !filed:
		fmt.Fprintln(w, "ok")
		return 0
	case err == nil:
	case errors.As(err, &ce):
		for _, p := range ce.Problems {
			fmt.Fprintf(w, "%s: %s\n", p.Var, p.Msg)
		}
	default:
		fmt.Fprintln(w, err)
	}
	return 1
}

// secretsInFile reports each secret written in wrangler.toml's vars, and
// whether there was any. The value is never shown.
func secretsInFile(w io.Writer, in input) bool {
	section, flag := "[vars]", ""
	if in.Env != "" {
		section, flag = "[env."+in.Env+".vars]", " --env "+in.Env
	}
	found := false
	for _, name := range config.Secrets {
		if !slices.Contains(in.InFile, name) {
			continue
		}
		found = true
		fmt.Fprintf(w, "%s: is a secret, but %s in wrangler.toml sets it, so it would be deployed "+
			"as plain text; delete it from the file and set it with `npx wrangler secret put %s%s` "+
			"(if the file was ever committed or shared, make a new value: the old one is out)\n",
			name, section, name, flag)
	}
	return found
}
