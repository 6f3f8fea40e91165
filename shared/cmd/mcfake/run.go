package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/cloudpage-gate/gate/shared/mcfake"
)

// shutdownGrace is how long requests in flight get to finish on a signal.
const shutdownGrace = 5 * time.Second

// run parses args, serves until ctx ends, and returns nil after a clean stop.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	mc, page, addrs, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if err := mc.Validate(); err != nil {
		return fmt.Errorf("checking flags: %v", err)
	}

	logger := log.New(stderr, "mcfake: ", log.Ltime|log.Lmicroseconds)
	handlers := []http.Handler{accessLog(logger, "mc", mc), accessLog(logger, "page", page)}
	var listeners []net.Listener
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll(listeners)
			return fmt.Errorf("listening: %v", err)
		}
		listeners = append(listeners, ln)
	}

	line, _ := json.Marshal(struct {
		MC   string `json:"mc"`
		Page string `json:"page"`
	}{"http://" + listeners[0].Addr().String(), "http://" + listeners[1].Addr().String()})
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		closeAll(listeners)
		return fmt.Errorf("announcing addresses: %v", err)
	}
	return serve(ctx, listeners, handlers)
}

// parseFlags reads the command line into a server, a CloudPage and the two
// addresses to listen on, mc first.
func parseFlags(args []string, stderr io.Writer) (*mcfake.Server, *mcfake.CloudPage, []string, error) {
	fs := flag.NewFlagSet("mcfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mcAddr := fs.String("mc", "127.0.0.1:0", "`address` of the fake Marketing Cloud auth host")
	pageAddr := fs.String("page", "127.0.0.1:0", "`address` of the fake CloudPage")
	mc := &mcfake.Server{Users: mcfake.DemoUsers()}
	fs.StringVar(&mc.ClientID, "client-id", "", "the integration's client `id` (required)")
	fs.StringVar(&mc.ClientSecret, "client-secret", "", "the integration's client `secret` (required)")
	fs.Func("redirect-uri", "a registered redirect `URI`, in plain text; repeat for more, up to 10 (at least one required)", func(v string) error {
		mc.RedirectURIs = append(mc.RedirectURIs, v)
		return nil
	})
	fs.StringVar(&mc.Subdomain, "subdomain", "", "28-character tenant `subdomain` for instance URLs (default "+mcfake.DefaultSubdomain+")")
	fs.IntVar(&mc.ExpiresIn, "expires-in", mcfake.DefaultExpiresIn, "access token lifetime in `seconds`")
	page := &mcfake.CloudPage{}
	fs.Func("origin-secret", "the gate's ORIGIN_SECRET: the CloudPage then refuses requests without a valid assertion", func(v string) error {
		page.OriginSecret = []byte(v)
		return nil
	})

	if err := fs.Parse(args); err != nil {
		return nil, nil, nil, err
	}
	if fs.NArg() > 0 {
		return nil, nil, nil, fmt.Errorf("parsing flags: unexpected argument %q", fs.Arg(0))
	}
	return mc, page, []string{*mcAddr, *pageAddr}, nil
}

// serve runs one server per listener until ctx ends or a server fails,
// then shuts them all down.
func serve(ctx context.Context, listeners []net.Listener, handlers []http.Handler) error {
	errc := make(chan error, len(listeners))
	var servers []*http.Server
	for i, ln := range listeners {
		srv := &http.Server{
			Handler:           handlers[i],
			ReadHeaderTimeout: 10 * time.Second,
			// Requests held back by a delay fault end with the process.
			BaseContext: func(net.Listener) context.Context { return ctx },
		}
		servers = append(servers, srv)
		go func() { errc <- srv.Serve(ln) }()
	}

	var failed error
	select {
	case <-ctx.Done():
	case failed = <-errc:
		failed = fmt.Errorf("serving: %v", failed)
	}

	stop, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(stop); err != nil {
			srv.Close()
		}
	}
	return failed
}

func closeAll(listeners []net.Listener) {
	for _, ln := range listeners {
		ln.Close()
	}
}
