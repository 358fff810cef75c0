package store

import (
	"encoding/gob"
	"errors"
	"fmt"
	"net"
	"time"
)

// callTimeout bounds one request to the read service: the writer answers
// each from memory it has at hand, so only a writer that stopped takes long.
const callTimeout = time.Minute

// remoteReader reads through a writer's read service (serve.go).
type remoteReader struct {
	conn net.Conn
	enc  *gob.Encoder
	dec  *gob.Decoder
	path string
	// answered counts the requests answered in this View.
	answered int
}

var _ reader = (*remoteReader)(nil)

// viewRemote runs fn with reads served by the writer that holds the file;
// errNoService when no writer's service answers (a writer starting or
// stopping, or none).
func (db *DB) viewRemote(fn func(*Tx) error) error {
	holder, addr := lockFile(db.path)
	if addr == "" {
		return errNoService
	}
	conn, err := net.Dial("unix", addr)
	if err != nil {
		return errNoService
	}
	defer conn.Close()
	r := &remoteReader{conn: conn, enc: gob.NewEncoder(conn), dec: gob.NewDecoder(conn), path: db.path}
	err = fn(&Tx{r: r})
	var lost *lostService
	if errors.As(err, &lost) && r.answered == 0 {
		// A writer that stopped listening just after this reader
		// connected: fn has read nothing yet, so it may run again.
		return errNoService
	}
	if errors.As(err, &lost) {
		return fmt.Errorf("%s: %s, which served this read, stopped during it (%v); run the command again", db.path, holder, lost.err)
	}
	return err
}

// lostService is a failure to talk to the read service mid-View.
type lostService struct{ err error }

func (e *lostService) Error() string { return "read service lost: " + e.err.Error() }

func (r *remoteReader) call(req request) (response, error) {
	var resp response
	r.conn.SetDeadline(time.Now().Add(callTimeout))
	if err := r.enc.Encode(&req); err != nil {
		return resp, &lostService{err}
	}
	if err := r.dec.Decode(&resp); err != nil {
		return resp, &lostService{err}
	}
	r.answered++
	switch {
	case resp.NoBucket:
		return resp, errNoBucket
	case resp.Err != "":
		return resp, fmt.Errorf("%s: %s", r.path, resp.Err)
	}
	return resp, nil
}

func (r *remoteReader) get(path [][]byte, key []byte) ([]byte, error) {
	resp, err := r.call(request{Op: "get", Path: path, Key: key})
	if err != nil || !resp.Found {
		return nil, err
	}
	if resp.Value == nil {
		return []byte{}, nil
	}
	return resp.Value, nil
}

func (r *remoteReader) each(path [][]byte, fn func(k, v []byte) error) error {
	req := request{Op: "page", Path: path, First: true}
	for {
		resp, err := r.call(req)
		if err != nil {
			return err
		}
		for _, kv := range resp.Pairs {
			if err := fn(kv[0], kv[1]); err != nil {
				return err
			}
		}
		if !resp.More || len(resp.Pairs) == 0 {
			return nil
		}
		req.Key, req.First = resp.Pairs[len(resp.Pairs)-1][0], false
	}
}

func (r *remoteReader) buckets(path [][]byte) ([]string, error) {
	resp, err := r.call(request{Op: "buckets", Path: path})
	return resp.Names, err
}
