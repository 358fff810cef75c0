package store

import (
	"crypto/rand"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The read service: a writer holds bbolt's exclusive lock on the file for
// as long as it runs, so other processes cannot open the file; they send
// their reads to the writer instead, over a unix socket whose address the
// writer puts in PATH.lock. Each request is answered in a read transaction
// of its own that ends before the answer is sent, so a reader that is slow,
// stopped (Ctrl-Z) or killed never holds a transaction open, and the writer
// never waits for it.

// Limits of the read service.
const (
	// pageBytes is about how many bytes of a bucket one answer carries.
	pageBytes = 1 << 20
	// serveConcurrency is how many requests the service answers at once;
	// further ones wait their turn, so many readers cost the writer at
	// most this many pages of memory.
	serveConcurrency = 2
	// idleTimeout closes a reader's connection after this long without a
	// request; sendTimeout gives up on a reader that does not take its
	// answer.
	idleTimeout = time.Minute
	sendTimeout = 10 * time.Second
	// drainWait is how long Close lets the reads in progress finish.
	drainWait = 2 * time.Second
)

// Errors of the read path; neither reaches a caller of View.
var (
	// errBusy: a writer holds bbolt's lock on the file.
	errBusy = errors.New("the database file is held by its writer")
	// errNoService: the writer's read service does not answer (yet).
	errNoService = errors.New("the writer's read service does not answer")
)

// request is one read: op "get" (Key in the bucket at Path), "page" (the
// pairs after Key, or from the first when First) or "buckets".
type request struct {
	Op    string
	Path  [][]byte
	Key   []byte
	First bool
}

// response answers a request. Err is set, and nothing else, when it failed;
// NoBucket when a bucket on the path is missing.
type response struct {
	Value    []byte
	Found    bool
	Pairs    [][2][]byte
	More     bool
	Names    []string
	NoBucket bool
	Err      string
}

// server is a writer's read service.
type server struct {
	db   *bolt.DB
	path string
	ln   net.Listener
	addr string
	sem  chan struct{}

	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// serve starts the read service of db on an abstract unix socket (Linux:
// no file to leave behind when the writer is killed). It answers processes
// of the same user, and root.
func serve(db *DB) (*server, error) {
	var nonce [8]byte
	rand.Read(nonce[:])
	addr := fmt.Sprintf("@lssr-%d-%s", os.Getpid(), hex.EncodeToString(nonce[:]))
	ln, err := net.Listen("unix", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: start the read service: %w", db.path, err)
	}
	s := &server{db: db.bolt, path: db.path, ln: ln, addr: addr,
		sem: make(chan struct{}, serveConcurrency), conns: map[net.Conn]bool{}}
	s.wg.Go(s.accept)
	return s, nil
}

func (s *server) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // stopped
		}
		if !sameUser(conn) {
			conn.Close()
			continue
		}
		s.mu.Lock()
		s.conns[conn] = true
		s.mu.Unlock()
		s.wg.Go(func() {
			s.handle(conn)
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
			conn.Close()
		})
	}
}

// sameUser reports whether the peer runs as this process's user or root.
func sameUser(conn net.Conn) bool {
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return false
	}
	var cred *syscall.Ucred
	raw.Control(func(fd uintptr) {
		cred, err = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	})
	return err == nil && (cred.Uid == 0 || int(cred.Uid) == os.Getuid())
}

// handle answers one reader's requests until it hangs up or idles.
func (s *server) handle(conn net.Conn) {
	dec, enc := gob.NewDecoder(conn), gob.NewEncoder(conn)
	for {
		conn.SetReadDeadline(time.Now().Add(idleTimeout))
		var req request
		if err := dec.Decode(&req); err != nil {
			return
		}
		s.sem <- struct{}{}
		resp := s.answer(req)
		<-s.sem
		conn.SetWriteDeadline(time.Now().Add(sendTimeout))
		if err := enc.Encode(&resp); err != nil {
			return
		}
	}
}

// answer runs one request in a read transaction of its own; what it returns
// is copied out of the transaction.
func (s *server) answer(req request) (resp response) {
	err := guard(s.path, func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			r := boltReader{tx}
			var err error
			switch req.Op {
			case "get":
				var v []byte
				v, err = r.get(req.Path, req.Key)
				resp.Value, resp.Found = append([]byte(nil), v...), v != nil
			case "page":
				after := req.Key
				if req.First {
					after = nil
				}
				resp.Pairs, resp.More, err = r.page(req.Path, after, pageBytes)
			case "buckets":
				resp.Names, err = r.buckets(req.Path)
			default:
				err = fmt.Errorf("unknown request %q", req.Op)
			}
			return err
		})
	})
	if errors.Is(err, errNoBucket) {
		return response{NoBucket: true}
	}
	if err != nil {
		return response{Err: err.Error()}
	}
	return resp
}

// stop closes the listener, lets the connections in progress finish for up
// to drainWait, then closes them.
func (s *server) stop() {
	s.ln.Close()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(drainWait):
	}
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	<-done
}
