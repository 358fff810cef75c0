package worker

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
)

// TestWorkerAcceptsOnlyTheHost: the worker serves on a unix socket only,
// and over mutual TLS: a client without the host's certificate, in plain
// text or in TLS, is refused, while the host's own connection works.
func TestWorkerAcceptsOnlyTheHost(t *testing.T) {
	p := startTestWorker(t, "fake")
	rc := p.client.ReattachConfig()
	if rc == nil || rc.Addr.Network() != "unix" {
		t.Fatalf("worker address %v, want a unix socket", rc.Addr)
	}
	if _, err := p.Run(t.Context(), fakeJob("ok"), nil); err != nil {
		t.Fatalf("the host's own connection: %v", err)
	}
	creds := map[string]credentials.TransportCredentials{
		"plain text":         insecure.NewCredentials(),
		"TLS without a cert": credentials.NewTLS(&tls.Config{InsecureSkipVerify: true}),
	}
	for name, c := range creds {
		conn, err := grpc.NewClient("unix:"+rc.Addr.String(), grpc.WithTransportCredentials(c))
		if err != nil {
			t.Fatal(err)
		}
		_, err = grpc_health_v1.NewHealthClient(conn).Check(t.Context(), &grpc_health_v1.HealthCheckRequest{Service: "plugin"})
		conn.Close()
		if err == nil {
			t.Errorf("%s: a client without the host's certificate was served", name)
		} else {
			t.Logf("%s: refused: %v", name, err)
		}
	}
}

// TestWorkerListensOnNothingElse: the worker process has one listening
// socket, go-plugin's unix socket, and no TCP or UDP socket at all.
func TestWorkerListensOnNothingElse(t *testing.T) {
	p := startTestWorker(t, "fake")
	if _, err := p.Run(t.Context(), fakeJob("ok"), nil); err != nil {
		t.Fatal(err)
	}
	fds := socketInodes(t, p.PID())
	for _, table := range []string{"tcp", "tcp6", "udp", "udp6"} {
		for _, inode := range inodesIn(t, p.PID(), table, 9) {
			if fds[inode] {
				t.Errorf("the worker has a %s socket (inode %s)", table, inode)
			}
		}
	}
	var listening []string
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.PID()), "net", "unix"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n")[1:] {
		f := strings.Fields(line)
		// Num RefCount Protocol Flags Type St Inode [Path]; flag 00010000 is
		// __SO_ACCEPTCON, a listening socket.
		if len(f) >= 7 && f[3] == "00010000" && fds[f[6]] {
			listening = append(listening, strings.Join(f[7:], " "))
		}
	}
	if len(listening) != 1 || listening[0] != p.client.ReattachConfig().Addr.String() {
		t.Errorf("the worker listens on %q, want only go-plugin's socket %s", listening, p.client.ReattachConfig().Addr)
	}
}

// socketInodes returns the inodes of the sockets among the process's open
// files.
func socketInodes(t *testing.T, pid int) map[string]bool {
	t.Helper()
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fd")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range entries {
		link, err := os.Readlink(filepath.Join(dir, e.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			out[strings.TrimSuffix(inode, "]")] = true
		}
	}
	return out
}

// inodesIn returns the inode column of a /proc/PID/net table.
func inodesIn(t *testing.T, pid int, table string, col int) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "net", table))
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(raw), "\n")[1:] {
		if f := strings.Fields(line); len(f) > col {
			out = append(out, f[col])
		}
	}
	return out
}
