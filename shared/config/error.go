package config

import "strings"

// Problem is one thing wrong with one variable.
type Problem struct {
	Var string // the variable's name, such as "MC_CLIENT_ID"
	Msg string // what is wrong, without the value of any secret
}

// Error lists every problem Parse found.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Var)
		b.WriteString(": ")
		b.WriteString(p.Msg)
	}
	return b.String()
}

// problems collects what Parse finds, in the order it checks.
type problems []Problem

func (ps *problems) add(name, msg string) {
	*ps = append(*ps, Problem{Var: name, Msg: msg})
}
