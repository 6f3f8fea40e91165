// Command mcfake serves the fake Marketing Cloud auth host and the fake
// CloudPage of package mcfake on loopback, for end-to-end tests and demos.
//
//	mcfake -mc 127.0.0.1:0 -page 127.0.0.1:0 -client-id ID -client-secret SECRET \
//	    -redirect-uri URI [-redirect-uri URI2 ...] [-subdomain SUB] [-expires-in SECONDS]
//
// Port 0 picks a free port. Once both servers listen, mcfake prints one JSON
// line to stdout, {"mc":"http://127.0.0.1:PORT","page":"http://127.0.0.1:PORT"},
// and then logs one line per request to stderr: server, method, path (never
// the query), status and duration. It signs users in from mcfake.DemoUsers,
// and stops cleanly on SIGINT or SIGTERM.
//
// POST /_fake/faults on the mc server switches faults at run time (see
// mcfake.Faults), and POST /_fake/licence {"sub":"…","licensed":false}
// withdraws or grants a user's licence; like everything under /_fake/,
// they are test aids and not Marketing Cloud endpoints.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(os.Stderr, "mcfake: %v\n", err)
		}
		os.Exit(2)
	}
}
