package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/web"
	"github.com/urfave/cli/v2"
)

const serveHelp = `Serves a read-only web view of the database's sweeps: the sweeps with their progress; a
sweep's heatmap (the figure of lssr report; click a cell for its runs; a form draws it with
report's --colour, --clip, --values and --range as ?colour=se&clip=1&values=1&range=LO,HI),
state counts, ETA, fitted rules and verdict; a job's learning curves (the report's figure
code), settings, attempts and provenance; the
same data as JSON under /api/sweeps. An open sweep page follows a running sweep: the
server watches it while someone looks and the page updates within a second of a job
finishing. Pages work with JavaScript off too (reload to update). See docs/WEB.md.

It never writes the database and holds it open only for the length of a request, so it
runs beside lssr sweep run: a run starting waits for it at most the moment of one read. A
database that does not exist yet shows no sweeps.

--addr is HOST:PORT (port 0: any free port; the URL printed says which). The view has no
login: an address other than loopback (0.0.0.0, ::, a LAN address or a name that resolves
to one) also needs --public. Ctrl-C or SIGTERM stops it.

Exit statuses: 0 stopped by a signal, 1 the server failed, 2 bad flags.`

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:        "serve",
		Usage:       "serve a read-only web view of the sweeps (heatmaps, progress, job curves) that follows running sweeps",
		Description: serveHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "HOST:PORT to listen on (port 0: any free port)"},
			&cli.BoolFlag{Name: "public", Usage: "allow an --addr that is not loopback: anyone who reaches it sees the sweeps"},
		},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			addr := c.String("addr")
			if err := checkServeAddr(addr, c.Bool("public")); err != nil {
				return err
			}
			return runServe(c.Context, c.String("db"), addr)
		},
	}
}

// checkServeAddr refuses an address that is malformed, or not loopback
// without public. A name counts as loopback only when every address it
// resolves to is.
func checkServeAddr(addr string, public bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return lssr.BadInput("--addr %q: want HOST:PORT, such as 127.0.0.1:8080", addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return lssr.BadInput("--addr %q: port %q is not a number from 0 to 65535", addr, port)
	}
	if public {
		return nil
	}
	if host == "" {
		return lssr.BadInput("--addr %q listens on every interface, not only loopback: add --public to serve the sweeps to the network", addr)
	}
	ips := []net.IP{net.ParseIP(host)}
	if ips[0] == nil {
		if ips, err = net.LookupIP(host); err != nil || len(ips) == 0 {
			return lssr.BadInput("--addr %q: host %q does not resolve", addr, host)
		}
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return lssr.BadInput("--addr %q: %s is not a loopback address: add --public to serve the sweeps to the network", addr, ip)
		}
	}
	return nil
}

// runServe serves until ctx ends (Ctrl-C, SIGTERM), then ends the open
// event streams and waits a little for requests under way.
func runServe(ctx context.Context, dbPath, addr string) error {
	// A database that is there must open: a folder or a damaged file is
	// said once, before listening, not on every page. One that is not
	// there yet shows no sweeps until a sweep run creates it.
	if db, err := store.Open(dbPath, store.Options{ReadOnly: true}); err == nil {
		db.Close()
	} else if !errors.Is(err, store.ErrNoDatabase) {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", addr, err)
	}
	view := web.New(dbPath, web.Options{})
	srv := &http.Server{Handler: view, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("lssr serve: http://%s/ (database %s, read-only; Ctrl-C stops)\n", ln.Addr(), dbPath)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		view.Close()
		return err
	case <-ctx.Done():
	}
	// Event streams never end by themselves: closing the view ends them, so
	// Shutdown waits only for ordinary requests.
	view.Close()
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		srv.Close()
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Println("lssr serve: stopped")
	return nil
}
